//! The one edge between the command and the terminal. Everything the command prints, to stdout
//! or stderr, text or JSON, its own words or a token's, goes through [`emit`]: a report is a list
//! of lines, and every character of a line that does not show (C0 and C1 controls, ESC, CR, BS,
//! DEL, bidi overrides and isolates, zero-width and other format characters) is written as
//! `\u{XXXX}`, so no string from a token, a discovery document, a key set or a server can move the
//! cursor, rewrite a line, set the title or the clipboard (OSC 52), or reorder what follows. The
//! only line breaks are those between lines, which the edge writes itself. JSON is written with
//! the same characters as `\uXXXX` (valid JSON that reads back to the same strings), as kubectl
//! and step print untrusted text (Go's `strconv.Quote`). Nothing else in `src/cli/` may touch
//! stdout or stderr: clippy.toml disallows the print macros and `std::io::stdout`/`stderr`.

use serde_json::Value;
use std::borrow::Cow;
use std::io::{self, Write};

/// Characters that do not show, or change the direction of what follows: controls (C0, DEL,
/// C1), zero-width spaces and joiners, bidi marks, embeddings, overrides and isolates, tags,
/// variation selectors, every other format character (Unicode category Cf) and spaces other
/// than U+0020 (the inspector's list, www/lib/format.js, with the rest of Cf).
pub fn is_hidden(c: char) -> bool {
    let u = c as u32;
    c.is_control()
        || matches!(
            u,
            0x00A0 | 0x00AD | 0x034F | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890 | 0x0891 | 0x08E2 | 0x115F | 0x1160 | 0x1680 | 0x17B4 | 0x17B5
                | 0x180B..=0x180F | 0x2000..=0x200F | 0x2028..=0x202F | 0x205F..=0x206F | 0x2800 | 0x3000 | 0x3164 | 0xFE00..=0xFE0F | 0xFEFF | 0xFFA0
                | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0000..=0xE007F | 0xE0100..=0xE01EF
        )
}

/// A line as the terminal will show it: every hidden character, a newline included, as
/// `\u{XXXX}`. Text already escaped (by [`quoted`]) passes unchanged.
pub fn visible(line: &str) -> Cow<'_, str> {
    if !line.chars().any(is_hidden) {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len() + 16);
    for c in line.chars() {
        if is_hidden(c) {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text quoted as Go's %q and JSON quote it, so hidden and control characters show and a quote
/// inside cannot close it.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    visible(&out).into_owned()
}

/// A name as it is when it is made of ASCII letters, digits and what Kubernetes names and URLs
/// use (`:._-/@?=&%~#+,;[]`), else [`quoted`]: an odd name shows where it starts and ends.
pub fn plain(s: &str) -> String {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || ":._-/@?=&%~#+,;[]".contains(c)) {
        s.to_owned()
    } else {
        quoted(s)
    }
}

/// A JSON value on one line, strings shown with [`quoted`].
pub fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => quoted(s),
        Value::Array(a) => format!("[{}]", a.iter().map(shown).collect::<Vec<_>>().join(", ")),
        Value::Object(o) => format!("{{{}}}", o.iter().map(|(k, v)| format!("{}: {}", quoted(k), shown(v))).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}

/// What a command prints: lines of text, or one JSON value.
#[derive(Debug)]
pub enum Body {
    /// Lines, each without its line break.
    Lines(Vec<String>),
    /// A value printed pretty, hidden characters as `\uXXXX`.
    Json(Value),
}

/// Lines of a report, built one at a time.
#[derive(Debug, Default)]
pub struct Text(Vec<String>);

impl Text {
    /// One line; a line break inside it is shown, not obeyed.
    pub fn line(&mut self, line: impl Into<String>) {
        self.0.push(line.into());
    }
    /// An empty line.
    pub fn blank(&mut self) {
        self.0.push(String::new());
    }
    /// The lines.
    pub fn into_lines(self) -> Vec<String> {
        self.0
    }
}

/// `value` as pretty JSON whose strings hold no hidden character raw: serde_json escapes C0
/// itself but writes DEL, C1 and bidi controls raw. Outside strings its output is ASCII (brackets,
/// spaces, line breaks), so every hidden character but those line breaks is inside a string,
/// where `\uXXXX` (a surrogate pair above U+FFFF) reads back as the same character.
pub fn json_text(value: &Value) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
    let mut out = String::with_capacity(text.len());
    let mut units = [0u16; 2];
    for c in text.chars() {
        if c != '\n' && is_hidden(c) {
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{:04x}", unit));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// clap's message for a command line it refused, as lines. clap quotes the arguments it did not
/// take verbatim, and a line break inside one would start a line of the attacker's: each argument
/// that holds a hidden character (and the value of `--option=value`) is made [`visible`] inside
/// the message before it is cut into lines.
pub fn clap_lines(rendered: &str, args: &[String]) -> Vec<String> {
    let mut hidden: Vec<&str> = args.iter().flat_map(|a| [Some(a.as_str()), a.split_once('=').map(|(_, v)| v)]).flatten().filter(|a| a.chars().any(is_hidden)).collect();
    hidden.sort_by_key(|a| std::cmp::Reverse(a.len()));
    let mut text = rendered.to_owned();
    for a in hidden {
        text = text.replace(a, &visible(a));
    }
    text.lines().map(str::to_owned).collect()
}

/// Where a body goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Out,
    /// Standard error.
    Err,
}

/// The bytes [`emit`] writes for `body`: each line made [`visible`], then its line break.
pub fn render(body: &Body) -> String {
    let json;
    let lines: Vec<&str> = match body {
        Body::Lines(lines) => lines.iter().map(String::as_str).collect(),
        Body::Json(value) => {
            json = json_text(value);
            json.lines().collect()
        }
    };
    let mut out = String::new();
    for line in lines {
        out.push_str(&visible(line));
        out.push('\n');
    }
    out
}

/// Writes `body` to the stream: the only place the command writes to the terminal.
#[allow(clippy::disallowed_methods)]
pub fn emit(stream: Stream, body: &Body) {
    let text = render(body);
    let _ = match stream {
        Stream::Out => {
            let mut out = io::stdout().lock();
            out.write_all(text.as_bytes()).and_then(|()| out.flush())
        }
        Stream::Err => {
            let mut err = io::stderr().lock();
            err.write_all(text.as_bytes()).and_then(|()| err.flush())
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nothing_hidden_reaches_the_terminal() {
        let attacks = ["\u{1b}]52;c;ZXZpbA==\u{7}", "\u{1b}[2A\u{1b}[2KVERIFIED", "PROBLEM\rok     ", "a\u{8}b", "\u{9b}31m", "\u{202e}txt.exe", "\u{2066}x\u{2069}", "a\nb", "\u{7f}", "\u{600}", "\u{e0041}"];
        for a in attacks {
            let out = render(&Body::Lines(vec![format!("x {a}")]));
            assert_eq!(out.matches('\n').count(), 1, "{a:?}: {out:?}");
            assert!(!out.trim_end_matches('\n').chars().any(is_hidden), "{a:?}: {out:?}");
            let j = render(&Body::Json(json!({ "k": a, a: 1 })));
            assert!(!j.replace('\n', "").chars().any(is_hidden), "{a:?}: {j:?}");
            let back: Value = serde_json::from_str(&j).unwrap();
            assert_eq!(back["k"], a, "JSON reads back the same string");
        }
        assert_eq!(render(&Body::Lines(vec!["\u{1b}[31m".into()])), "\\u{001B}[31m\n");
        assert_eq!(quoted("su\u{200B}b\"\\"), "\"su\\u{200B}b\\\"\\\\\"");
    }
}
