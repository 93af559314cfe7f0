//! Where the command's input comes from: a token as an argument, a file or standard input; and
//! the files it reads (roles, key sets, CA bundles), each with a size cap.

use super::Failure;
use std::io::Read;
use std::path::Path;

/// Reads at most `max` bytes of a file; a larger one is refused, not cut.
pub fn read_file(path: &Path, max: u64) -> Result<Vec<u8>, Failure> {
    let file = std::fs::File::open(path).map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
    read_capped(file, max, &path.display().to_string())
}

fn read_capped(source: impl Read, max: u64, what: &str) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    source.take(max + 1).read_to_end(&mut bytes).map_err(|e| Failure::input(format!("{what}: {e}")))?;
    if bytes.len() as u64 > max {
        return Err(Failure::input(format!("{what} is over {max} bytes")));
    }
    Ok(bytes)
}

/// The token: `-` or nothing reads standard input; an existing file is read; anything else is
/// the token itself. Surrounding blanks and an `Authorization: Bearer` prefix are dropped.
pub fn token(arg: Option<&str>, max: usize) -> Result<String, Failure> {
    let cap = max as u64 + 1024;
    let bytes = match arg {
        None | Some("-") => read_capped(std::io::stdin().lock(), cap, "standard input")?,
        Some(a) if Path::new(a).is_file() => read_file(Path::new(a), cap)?,
        Some(a) => a.as_bytes().to_vec(),
    };
    let text = String::from_utf8(bytes).map_err(|_| Failure::new("ERR_JWT_INVALID", "the token is not UTF-8 text"))?;
    Ok(clean_token(&text).to_owned())
}

/// A token as pasted, without blanks around it or an `Authorization: Bearer` prefix.
pub fn clean_token(text: &str) -> &str {
    let t = text.trim();
    let t = strip_prefix_ci(t, "authorization:").map_or(t, str::trim_start);
    strip_prefix_ci(t, "bearer ").map_or(t, str::trim_start)
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| s.get(prefix.len()..)).flatten()
}
