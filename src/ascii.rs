//! Search for an ASCII needle in text, byte by byte: the few searches the package makes are of
//! short ASCII markers in small inputs, and `str`'s own `find` and `split_once` with a `&str`
//! pattern bring in the two-way searcher (`StrSearcher`), about 0.3 KB of gzipped wasm.

/// The byte offset of the first `needle` in `text` (a char boundary: the needle is ASCII).
pub(crate) fn find(text: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    text.as_bytes().windows(needle.len()).position(|w| w == needle.as_bytes())
}

/// Whether `needle` occurs in `text`.
pub(crate) fn contains(text: &str, needle: &str) -> bool {
    find(text, needle).is_some()
}

/// `text` before and after the first `needle`, as `str::split_once`.
pub(crate) fn split_once<'a>(text: &'a str, needle: &str) -> Option<(&'a str, &'a str)> {
    let at = find(text, needle)?;
    Some((text.get(..at)?, text.get(at + needle.len()..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same answers as `str`'s own, on ASCII and non-ASCII text.
    #[test]
    fn agrees_with_str() {
        let texts = ["", "a", "://", "https://x", "é://ü", "-----END X-----", "--------", "x-----END -----END "];
        let needles = ["", "://", "-----", "-----END ", "é", "x"];
        for t in texts {
            for n in needles.iter().filter(|n| n.is_ascii()) {
                assert_eq!(find(t, n), t.find(n), "{t:?} {n:?}");
                assert_eq!(split_once(t, n), t.split_once(n), "{t:?} {n:?}");
                assert_eq!(contains(t, n), t.contains(n));
            }
        }
    }
}
