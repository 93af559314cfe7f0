//! Bank-Vaults' templates in `AUTH_CONFIG`, evaluated as its configurer evaluates them
//! (bank-vaults/vault-sdk `utils/templater/template.go`: Go's text/template with the delimiters
//! `${` and `}`, over the whole configuration text, before it is parsed). The gate evaluates the
//! part of that language a login mount needs and refuses the rest with the reason, as the
//! configurer exits on a template error:
//!
//! - `${ file `PATH` }`: the file's content with each newline written as the two characters `\n`
//!   (vault-sdk `fileContent`: `strings.ReplaceAll(content, "\n", "\\n")`), so that it sits inside a
//!   JSON string and decodes back to the file. Files come from the `FILES` secret (a JSON object of
//!   path to content), the stand-in for the configurer pod's files; a missing one is an error.
//! - `${ env `NAME` }`: sprig's `env`, the variable or "" when unset; `${ .Env.NAME }`: the
//!   templater's data, the variable or `<no value>` when unset (text/template's missing map key).
//! - string literals (raw and interpreted), pipelines (`${ `NAME` | env }`), parentheses, the trim
//!   markers `${- ` and ` -}`, comments `${/* ... */}`.
//!
//! Every other function (sprig's, `awskms`, `gcpkms`, `blob`, `accessor`), variables and the
//! control keywords are refused: the gate cannot do what they do, and never guesses.

use crate::error::{Code, Error, Result};
use std::collections::BTreeMap;

/// Where `file` and `env` read.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    /// Path to content (the `FILES` secret).
    pub files: BTreeMap<String, String>,
    /// Name to value (the worker's variables and secrets).
    pub env: BTreeMap<String, String>,
}

impl Sources {
    /// Reads the `FILES` secret: a JSON object of path to content, each a string; blank text for
    /// none. The one reader of it, for `${ file }` here and a Kubernetes mount's pod defaults
    /// (`kubernetes::Environment`).
    pub fn read_files(files_json: &str) -> Result<BTreeMap<String, String>> {
        let bad = |m: String| Error::new(Code::ConfigInvalid, m);
        let mut files = BTreeMap::new();
        if files_json.trim().is_empty() {
            return Ok(files);
        }
        let value = crate::json::parse(files_json.as_bytes()).map_err(|e| bad(format!("FILES is not valid JSON: {e}")))?;
        let obj = value.as_object().ok_or_else(|| bad("FILES must be a JSON object of path to content".into()))?;
        for (k, v) in obj {
            let text = v.as_str().ok_or_else(|| bad(format!("FILES: {} must be a string", crate::gate::fields::quote(k))))?;
            files.insert(k.clone(), text.to_owned());
        }
        Ok(files)
    }
}

/// Largest text a template may produce, in bytes.
pub const MAX_OUTPUT_BYTES: usize = 1024 * 1024;
/// Deepest nesting of parentheses.
const MAX_DEPTH: usize = 16;

fn err(message: impl Into<String>) -> Error {
    Error::new(Code::ConfigInvalid, format!("AUTH_CONFIG: template: {}", message.into()))
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Evaluates every `${ ... }` of `text`; text outside actions is copied as it is.
pub fn evaluate(text: &str, sources: &Sources) -> Result<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut trim_next = false;
    loop {
        let Some(i) = rest.find("${") else {
            out.push_str(if trim_next { rest.trim_start_matches(is_space) } else { rest });
            break;
        };
        let (before, after) = rest.split_at(i);
        let after = after.get(2..).unwrap_or_default();
        let left_trim = after.starts_with('-') && after.get(1..).and_then(|s| s.chars().next()).is_some_and(is_space);
        let mut before = if trim_next { before.trim_start_matches(is_space) } else { before };
        if left_trim {
            before = before.trim_end_matches(is_space);
        }
        out.push_str(before);
        let body = if left_trim { after.get(2..).unwrap_or_default() } else { after };
        let (value, next, right_trim) = action(body, sources)?;
        out.push_str(&value);
        if out.len() > MAX_OUTPUT_BYTES {
            return Err(err(format!("the evaluated configuration is over {MAX_OUTPUT_BYTES} bytes")));
        }
        rest = next;
        trim_next = right_trim;
    }
    Ok(out)
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Str(String),
    Field(Vec<String>),
    Ident(String),
    Pipe,
    Open,
    Close,
}

/// One action, from just after its `${` (and trim marker): its value, the text after its `}`,
/// and whether it trims the whitespace that follows.
fn action<'a>(body: &'a str, sources: &Sources) -> Result<(String, &'a str, bool)> {
    // A comment: `/*` right after the delimiter, `*/` right before it.
    if let Some(c) = body.strip_prefix("/*") {
        let end = c.find("*/").ok_or_else(|| err("unclosed comment"))?;
        let after = c.get(end + 2..).unwrap_or_default();
        if let Some(rest) = after.strip_prefix('}') {
            return Ok((String::new(), rest, false));
        }
        if let Some(rest) = after.strip_prefix(" -}").or_else(|| after.strip_prefix("\t-}")).or_else(|| after.strip_prefix("\n-}")).or_else(|| after.strip_prefix("\r-}")) {
            return Ok((String::new(), rest, true));
        }
        return Err(err("comment ends before closing delimiter"));
    }
    let (toks, rest, right_trim) = lex(body)?;
    let source = body.get(..body.len() - rest.len()).unwrap_or_default().trim_end_matches('}');
    let shown = source.trim_matches(|c: char| is_space(c) || c == '-');
    if toks.is_empty() {
        return Err(err("missing value for command"));
    }
    let mut p = Parser { toks: &toks, pos: 0, sources, depth: 0 };
    let (value, _) = p.pipeline().map_err(|e| err(format!("${{ {shown} }}: {e}")))?;
    if p.pos != toks.len() {
        return Err(err(format!("${{ {shown} }}: unexpected {}", describe(toks.get(p.pos)))));
    }
    Ok((value, rest, right_trim))
}

fn describe(t: Option<&Tok>) -> &'static str {
    match t {
        Some(Tok::Close) => "\")\"",
        Some(Tok::Open) => "\"(\"",
        Some(Tok::Pipe) => "\"|\"",
        _ => "input",
    }
}

/// The tokens of an action up to its `}` (outside strings): the tokens, the text after the
/// delimiter, and whether a trim marker (` -}`) closed it.
fn lex(body: &str) -> Result<(Vec<Tok>, &str, bool)> {
    let mut toks = Vec::new();
    let mut s = body;
    loop {
        let trimmed = s.trim_start_matches(is_space);
        let had_space = trimmed.len() != s.len();
        s = trimmed;
        if had_space {
            if let Some(rest) = s.strip_prefix("-}") {
                return Ok((toks, rest, true));
            }
        }
        let Some(c) = s.chars().next() else { return Err(err("unclosed action")) };
        match c {
            '}' => return Ok((toks, s.get(1..).unwrap_or_default(), false)),
            '|' => {
                toks.push(Tok::Pipe);
                s = s.get(1..).unwrap_or_default();
            }
            '(' => {
                toks.push(Tok::Open);
                s = s.get(1..).unwrap_or_default();
            }
            ')' => {
                toks.push(Tok::Close);
                s = s.get(1..).unwrap_or_default();
            }
            '`' => {
                let inner = s.get(1..).unwrap_or_default();
                let end = inner.find('`').ok_or_else(|| err("unterminated raw quoted string"))?;
                // Go drops carriage returns from raw strings.
                toks.push(Tok::Str(inner.get(..end).unwrap_or_default().replace('\r', "")));
                s = inner.get(end + 1..).unwrap_or_default();
            }
            '"' => {
                let (value, rest) = quoted(s.get(1..).unwrap_or_default())?;
                toks.push(Tok::Str(value));
                s = rest;
            }
            '.' => {
                let mut path = Vec::new();
                let mut rest = s;
                while let Some(r) = rest.strip_prefix('.') {
                    let n = r.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(r.len());
                    if n == 0 {
                        break;
                    }
                    path.push(r.get(..n).unwrap_or_default().to_owned());
                    rest = r.get(n..).unwrap_or_default();
                }
                if path.is_empty() {
                    return Err(err("`.` (the whole data) is not supported by the gate: write .Env.NAME"));
                }
                toks.push(Tok::Field(path));
                s = rest;
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let n = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(s.len());
                toks.push(Tok::Ident(s.get(..n).unwrap_or_default().to_owned()));
                s = s.get(n..).unwrap_or_default();
            }
            '$' => return Err(err("variables ($x) are not supported by the gate")),
            _ => return Err(err(format!("{} in an action is not supported by the gate", crate::gate::fields::quote(&c.to_string())))),
        }
        if toks.len() > 256 {
            return Err(err("an action of more than 256 tokens"));
        }
    }
}

/// A Go interpreted string literal's value (after its opening quote), and the text after it.
fn quoted(s: &str) -> Result<(String, &str)> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, s.get(i + 1..).unwrap_or_default())),
            '\n' => break,
            '\\' => {
                let Some((_, e)) = chars.next() else { break };
                let hex = |chars: &mut core::str::CharIndices<'_>, n: usize| -> Result<u32> {
                    let mut v = 0u32;
                    for _ in 0..n {
                        let d = chars.next().and_then(|(_, c)| c.to_digit(16)).ok_or_else(|| err("bad escape in a quoted string"))?;
                        v = v * 16 + d;
                    }
                    Ok(v)
                };
                let ch = match e {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'a' => '\u{7}',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    'v' => '\u{b}',
                    '\\' => '\\',
                    '"' => '"',
                    'x' => char::from_u32(hex(&mut chars, 2)?).ok_or_else(|| err("bad escape in a quoted string"))?,
                    'u' => char::from_u32(hex(&mut chars, 4)?).ok_or_else(|| err("bad escape in a quoted string"))?,
                    'U' => char::from_u32(hex(&mut chars, 8)?).ok_or_else(|| err("bad escape in a quoted string"))?,
                    '0'..='7' => {
                        let mut v = e.to_digit(8).unwrap_or(0);
                        for _ in 0..2 {
                            let d = chars.next().and_then(|(_, c)| c.to_digit(8)).ok_or_else(|| err("bad escape in a quoted string"))?;
                            v = v * 8 + d;
                        }
                        char::from_u32(v).filter(|_| v < 256).ok_or_else(|| err("bad escape in a quoted string"))?
                    }
                    _ => return Err(err("bad escape in a quoted string")),
                };
                out.push(ch);
            }
            c => out.push(c),
        }
    }
    Err(err("unterminated quoted string"))
}

/// text/template's keywords and constants: control structures the gate does not evaluate.
const KEYWORDS: [&str; 13] = ["if", "else", "end", "range", "with", "define", "template", "block", "break", "continue", "nil", "true", "false"];

/// A word of a command: a value (and whether the template wrote it: a string literal, not a
/// variable's value, a file's content or what a function made of them), or a function's name.
enum Word {
    Value(String, bool),
    Func(String),
}

/// What a pipeline or an argument is: its text, and whether the template wrote it (only such a
/// text may be shown in an error: any other can be a secret from FILES or the environment).
type Val = (String, bool);

struct Parser<'t> {
    toks: &'t [Tok],
    pos: usize,
    sources: &'t Sources,
    depth: usize,
}

impl Parser<'_> {
    fn pipeline(&mut self) -> core::result::Result<Val, String> {
        let mut piped: Option<Val> = None;
        loop {
            let mut words = Vec::new();
            while let Some(t) = self.toks.get(self.pos) {
                match t {
                    Tok::Pipe | Tok::Close => break,
                    Tok::Open => {
                        self.depth += 1;
                        if self.depth > MAX_DEPTH {
                            return Err(format!("parentheses nested deeper than {MAX_DEPTH}"));
                        }
                        self.pos += 1;
                        let (v, literal) = self.pipeline()?;
                        if self.toks.get(self.pos) != Some(&Tok::Close) {
                            return Err("unclosed left paren".into());
                        }
                        self.pos += 1;
                        self.depth -= 1;
                        words.push(Word::Value(v, literal));
                    }
                    Tok::Str(s) => {
                        words.push(Word::Value(s.clone(), true));
                        self.pos += 1;
                    }
                    Tok::Field(path) => {
                        words.push(Word::Value(self.field(path)?, false));
                        self.pos += 1;
                    }
                    Tok::Ident(name) => {
                        words.push(Word::Func(name.clone()));
                        self.pos += 1;
                    }
                }
            }
            let mut words = words.into_iter();
            let result = match words.next() {
                None => return Err("missing value for command".into()),
                Some(Word::Func(name)) => {
                    if KEYWORDS.contains(&name.as_str()) {
                        return Err(format!("{name} is not supported by the gate (it evaluates file, env and .Env)"));
                    }
                    let mut args = Vec::new();
                    for w in words {
                        args.push(match w {
                            Word::Value(v, literal) => (v, literal),
                            Word::Func(f) => (self.call(&f, Vec::new())?, false),
                        });
                    }
                    if let Some(p) = piped.take() {
                        args.push(p);
                    }
                    (self.call(&name, args)?, false)
                }
                Some(Word::Value(v, literal)) => {
                    if words.next().is_some() || piped.is_some() {
                        return Err("can't give argument to non-function".into());
                    }
                    (v, literal)
                }
            };
            piped = Some(result);
            if self.toks.get(self.pos) == Some(&Tok::Pipe) {
                self.pos += 1;
                continue;
            }
            return Ok(piped.unwrap_or_default());
        }
    }

    fn field(&self, path: &[String]) -> core::result::Result<String, String> {
        match path {
            [env, name] if env == "Env" => Ok(self.sources.env.get(name).cloned().unwrap_or_else(|| "<no value>".into())),
            [env] if env == "Env" => Err(".Env (the whole environment) is not supported by the gate: write .Env.NAME".into()),
            [env, name, more, ..] if env == "Env" => Err(format!("can't evaluate field {more} in type string (.Env.{name})")),
            [other, ..] => Err(format!("can't evaluate field {other}: the data holds Env only")),
            [] => Err("missing field".into()),
        }
    }

    fn call(&self, name: &str, args: Vec<Val>) -> core::result::Result<String, String> {
        let one = |args: Vec<Val>| -> core::result::Result<Val, String> {
            let n = args.len();
            let mut it = args.into_iter();
            match (it.next(), n) {
                (Some(a), 1) => Ok(a),
                _ => Err(format!("wrong number of args for {name}: want 1 got {n}")),
            }
        };
        match name {
            "file" => {
                // vault-sdk's fileContent returns os.ReadFile's error, path and all; a path the
                // template did not write is a file's content or a variable's value: not shown.
                let (path, literal) = one(args)?;
                let shown = if literal { path.as_str() } else { "<the value of an expression>" };
                let content = self.sources.files.get(&path).ok_or_else(|| format!("error calling file: open {shown}: no such file or directory (FILES has no such path)"))?;
                Ok(content.replace('\n', "\\n"))
            }
            "env" => Ok(self.sources.env.get(&one(args)?.0).cloned().unwrap_or_default()),
            k if KEYWORDS.contains(&k) => Err(format!("{name} is not supported by the gate (it evaluates file, env and .Env)")),
            "awskms" | "gcpkms" | "blob" | "accessor" => Err(format!("function {} is not supported by the gate (it evaluates file, env and .Env)", crate::gate::fields::quote(name))),
            _ => Err(format!("function {} not defined or not supported by the gate (it evaluates file, env and .Env)", crate::gate::fields::quote(name))),
        }
    }
}
