//! Vault's parameter types and Go's printing, so a role pasted from Vault reads as Vault reads it
//! and every message is Vault's word for word: `sdk/framework` field types (TypeDurationSecond,
//! TypeCommaStringSlice, TypeKVPairs, TypeLowerCaseString, GenericNameRegex) with
//! go-secure-stdlib's `parseutil`, and Go's `%q`, `%v`, `time.Duration.String` and `int(float64)`.

use crate::error::{Code, Error, Result};
use serde_json::{Map, Value};

/// Longest name (role, claim, key) quoted into a message, in characters: Vault quotes names
/// whole; the gate bounds what it echoes.
pub const MAX_QUOTED: usize = 128;

/// Nanoseconds in a second.
const NANOS: i128 = 1_000_000_000;

fn config_err(message: impl Into<String>) -> Error {
    Error::new(Code::ConfigInvalid, message)
}

fn cut(s: &str, max: usize) -> &str {
    s.char_indices().nth(max).map_or(s, |(i, _)| s.get(..i).unwrap_or(s))
}

/// `s` cut to [`MAX_QUOTED`] characters, for a name Vault prints unquoted (`'%s'`).
pub fn cut_name(s: &str) -> &str {
    cut(s, MAX_QUOTED)
}

/// Go's `%q` (`strconv.Quote`) of `s`, cut to [`MAX_QUOTED`] characters first.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in cut(s, MAX_QUOTED).chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if u32::from(c) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c if !is_go_printable(c) => {
                let n = u32::from(c);
                if n < 0x10000 {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An approximation of Go's `unicode.IsPrint` good for names: controls, separators other than
/// the ASCII space, and the format characters that hide text are not printable.
fn is_go_printable(c: char) -> bool {
    let n = u32::from(c);
    !(c.is_control()
        || (c.is_whitespace() && c != ' ')
        || matches!(n, 0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x180e | 0x200b..=0x200f | 0x202a..=0x202e | 0x2060..=0x2064 | 0x2066..=0x206f | 0xfeff | 0xfff9..=0xfffb | 0xe0001 | 0xe0020..=0xe007f)
        || (0xe000..=0xf8ff).contains(&n)
        || n >= 0xf0000)
}

/// Go's `int(f)` on amd64, where Vault runs: truncation toward zero, and the CPU's "integer
/// indefinite" (the smallest int64) for NaN and values outside int64.
pub fn go_int(f: f64) -> i64 {
    // 2^63 as f64 is exact; every f64 below it in magnitude truncates into range.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if !(-LIMIT..LIMIT).contains(&f) {
        i64::MIN
    } else {
        f.trunc() as i64
    }
}

/// Go's `strings.ToLower` (what `TypeLowerCaseString` applies): per character, with Go's single
/// `i` for U+0130, where Rust's full mapping adds a combining dot.
pub fn go_lower(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let lower: Vec<char> = if c == '\u{130}' { vec!['i'] } else { c.to_lowercase().collect() };
            lower
        })
        .collect()
}

/// Vault's `GenericNameRegex`, which role names match: `\w(([\w-.@]+)?\w)?`, `\w` being ASCII.
pub fn is_generic_name(s: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = s.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(&first), Some(&last)) => word(first) && word(last) && bytes.iter().all(|&b| word(b) || b == b'-' || b == b'.' || b == b'@'),
        _ => false,
    }
}

/// Go's `%v` of a claim as Vault reads it (`getClaim`): a top-level number is Vault's
/// `json.Number(strconv.Itoa(int(v)))`; numbers inside lists and maps stay float64 (`%g`);
/// maps print as `map[k:v ...]` with sorted keys, lists as `[a b]`, null as `<nil>`.
pub fn go_claim_value(v: &Value) -> String {
    match v {
        Value::Number(n) => go_int(n.as_f64().unwrap_or(f64::NAN)).to_string(),
        other => go_value(other),
    }
}

/// Go's `%v` of a value decoded by `encoding/json` into `interface{}` (numbers are float64).
pub fn go_value(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => go_float(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => cut(s, MAX_QUOTED).to_owned(),
        Value::Array(a) => format!("[{}]", a.iter().map(go_value).collect::<Vec<_>>().join(" ")),
        Value::Object(m) => format!("map[{}]", m.iter().map(|(k, v)| format!("{}:{}", cut(k, MAX_QUOTED), go_value(v))).collect::<Vec<_>>().join(" ")),
    }
}

/// Go's `%v` of a float64: `strconv.FormatFloat(f, 'g', -1, 64)`, the shortest digits, in `%e`
/// form when the exponent is below -4 or at least 6 (`1e+06`, `1.7e+09`, `0.0001`, `1e-05`).
pub fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    // Rust's `{:e}` gives the shortest digits that round-trip, as Go's shortest formatting does.
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if f < 0.0 { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        let frac = if rest.is_empty() { String::new() } else { format!(".{rest}") };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{frac}e{esign}{:02}", exp.abs());
    }
    let point = exp + 1; // digits before the decimal point
    let text = if point <= 0 {
        format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else if (point as usize) >= digits.len() {
        format!("{digits}{}", "0".repeat(point as usize - digits.len()))
    } else {
        let (int, frac) = digits.split_at(point as usize);
        format!("{int}.{frac}")
    };
    format!("{sign}{text}")
}

/// Go's `time.Duration.String` for whole seconds: `0s`, `45s`, `1m30s`, `768h0m0s`.
pub fn go_duration(secs: i64) -> String {
    let sign = if secs < 0 { "-" } else { "" };
    let s = secs.unsigned_abs();
    if s == 0 {
        "0s".into()
    } else if s < 60 {
        format!("{sign}{s}s")
    } else if s < 3600 {
        format!("{sign}{}m{}s", s / 60, s % 60)
    } else {
        format!("{sign}{}h{}m{}s", s / 3600, s % 3600 / 60, s % 60)
    }
}

/// Vault's `humanDuration` (sdk/framework/lease.go): Go's duration without zero units, `768h`, `1m`.
pub fn human_duration(secs: i64) -> String {
    let mut s = go_duration(secs);
    if s.ends_with("m0s") {
        s.truncate(s.len() - 2);
    }
    if let Some(idx) = s.find("h0m").filter(|&i| i > 0) {
        s.replace_range(idx + 1..idx + 3, "");
    }
    s
}

/// Go's `time.ParseDuration`, in nanoseconds: `[-+]?([0-9]*(\.[0-9]*)?unit)+` with units ns,
/// us, µs, μs, ms, s, m, h; `0` alone is allowed; overflow of int64 is an error.
fn go_parse_duration(text: &str) -> Option<i128> {
    let (neg, mut s) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, text),
    };
    if s == "0" {
        return Some(0);
    }
    if s.is_empty() {
        return None;
    }
    let mut total: i128 = 0;
    while !s.is_empty() {
        let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
        let (int, rest) = s.split_at(int_len);
        let (frac, rest) = match rest.strip_prefix('.') {
            Some(r) => {
                let n = r.bytes().take_while(u8::is_ascii_digit).count();
                r.split_at(n)
            }
            None => ("", rest),
        };
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        let unit_len = rest.char_indices().find(|(_, c)| c.is_ascii_digit() || *c == '.').map_or(rest.len(), |(i, _)| i);
        let (unit, rest) = rest.split_at(unit_len);
        let scale: i128 = match unit {
            "ns" => 1,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
            "ms" => 1_000_000,
            "s" => NANOS,
            "m" => 60 * NANOS,
            "h" => 3600 * NANOS,
            _ => return None,
        };
        let whole: i128 = if int.is_empty() { 0 } else { int.parse().ok()? };
        let mut value = whole.checked_mul(scale)?;
        // Go keeps the fraction's digits while they matter, then rounds down.
        let mut unit_part = scale;
        for d in frac.bytes() {
            unit_part /= 10;
            if unit_part == 0 {
                break;
            }
            value = value.checked_add(i128::from(d - b'0') * unit_part)?;
        }
        total = total.checked_add(value)?;
        if total > i128::from(i64::MAX) + i128::from(neg) {
            return None;
        }
        s = rest;
    }
    Some(if neg { -total } else { total })
}

/// A duration parameter as Vault's `TypeDurationSecond` (or, with `signed`, the leeways'
/// `TypeSignedDurationSecond`) reads it through `parseutil.ParseDurationSecond`: a number or a
/// string of seconds, `<n>d` days, or a Go duration (`1h30m`, `1.5h`, `90s`), truncated to whole
/// seconds. `null` is unset (`None`). Values past Go's `time.Duration` (292 years) are refused,
/// as `parseutil`'s overflow check refuses them.
pub fn duration_second(v: &Value, name: &str, signed: bool) -> Result<Option<i64>> {
    let bad = |why: &str| config_err(format!("{name}: {why}"));
    let nanos: i128 = match v {
        Value::Null => return Ok(None),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i128::from(i) * NANOS,
            // JSON reaches Vault as json.Number text, which ParseInt refuses when it is not an integer.
            None => return Err(bad("a number of seconds must be an integer")),
        },
        Value::String(s) if s.is_empty() => 0,
        Value::String(s) => {
            if let Ok(i) = s.parse::<i64>() {
                i128::from(i) * NANOS
            } else if let Some(days) = s.strip_suffix('d') {
                let d: i64 = days.parse().map_err(|_| bad(&format!("invalid duration {}", quote(s))))?;
                i128::from(d) * 86_400 * NANOS
            } else {
                go_parse_duration(s).ok_or_else(|| bad(&format!("invalid duration {}", quote(s))))?
            }
        }
        _ => return Err(bad("must be a number of seconds or a duration such as \"1h\"")),
    };
    if nanos > i128::from(i64::MAX) || nanos < i128::from(i64::MIN) {
        return Err(bad("duration is beyond Go's time.Duration (about 292 years)"));
    }
    let secs = (nanos / NANOS) as i64;
    if !signed && secs < 0 {
        return Err(bad(&format!("cannot provide negative value '{secs}'")));
    }
    Ok(Some(secs))
}

/// Vault's `TypeInt`: a number or a string of digits; `null` is unset.
pub fn int(v: &Value, name: &str) -> Result<Option<i64>> {
    match v {
        Value::Null => Ok(None),
        Value::Number(n) => n.as_i64().map(Some).ok_or_else(|| config_err(format!("{name} must be an integer"))),
        Value::String(s) => s.trim().parse().map(Some).map_err(|_| config_err(format!("{name} must be an integer"))),
        _ => Err(config_err(format!("{name} must be an integer"))),
    }
}

/// Vault's `TypeBool`: a boolean, or a string `strconv.ParseBool` reads; `null` is unset.
pub fn boolean(v: &Value, name: &str) -> Result<Option<bool>> {
    match v {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        Value::String(s) => match s.as_str() {
            "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(Some(true)),
            "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(Some(false)),
            _ => Err(config_err(format!("{name} must be a boolean"))),
        },
        _ => Err(config_err(format!("{name} must be a boolean"))),
    }
}

/// Vault's `TypeString`; `null` is unset.
pub fn string(v: &Value, name: &str) -> Result<Option<String>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        _ => Err(config_err(format!("{name} must be a string"))),
    }
}

fn weak_string(v: &Value, name: &str) -> Result<String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(if *b { "1".into() } else { "0".into() }),
        _ => Err(config_err(format!("{name} must hold strings"))),
    }
}

/// Vault's `TypeCommaStringSlice` (`parseutil.ParseCommaStringSlice`): a list (numbers read as
/// strings), or one comma-separated string; each element trimmed, none dropped; `null` is empty.
pub fn comma_string_slice(v: &Value, name: &str) -> Result<Vec<String>> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::String(s) if s.is_empty() => Ok(Vec::new()),
        Value::String(s) => Ok(s.split(',').map(|p| p.trim().to_owned()).collect()),
        Value::Number(_) | Value::Bool(_) => Ok(vec![weak_string(v, name)?.trim().to_owned()]),
        Value::Array(a) => a.iter().map(|x| weak_string(x, name).map(|s| s.trim().to_owned())).collect(),
        Value::Object(_) => Err(config_err(format!("{name} must be a list of strings or a comma-separated string"))),
    }
}

/// Vault's `TypeKVPairs`: an object of strings, or a list of `key=value` strings; `null` is empty.
pub fn kv_pairs(v: &Value, name: &str) -> Result<Vec<(String, String)>> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Object(m) => m.iter().map(|(k, v)| weak_string(v, name).map(|s| (k.clone(), s))).collect(),
        Value::Array(a) => a
            .iter()
            .map(|x| {
                let s = weak_string(x, name)?;
                let (k, v) = s.split_once('=').ok_or_else(|| config_err(format!("{name}: invalid key value pair {}", quote(&s))))?;
                Ok((k.trim().to_owned(), v.trim().to_owned()))
            })
            .collect(),
        _ => Err(config_err(format!("{name} must be an object of strings"))),
    }
}

/// Vault's `TypeMap`: an object; `null` is empty.
pub fn map(v: &Value, name: &str) -> Result<Map<String, Value>> {
    match v {
        Value::Null => Ok(Map::new()),
        Value::Object(m) => Ok(m.clone()),
        _ => Err(config_err(format!("{name} must be an object"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Hostile durations come back as values, never a panic (debug builds check overflow): a
    /// fraction that carries the whole past i128, units that are not ASCII, signs alone, dots
    /// alone. Go's `time.ParseDuration` is the reference for the valid ones.
    #[test]
    fn hostile_durations_are_errors_not_panics() {
        let refused = [
            "170141183460469231731687303715884105.999us",
            "170141183460469231731687303715884105727ns",
            "9999999999999999999999999999999999999999h",
            "+", "-", ".", ".s", "1h2", "1é", "é", "1..2s", "1.2.3s", "1\u{b5}", "--1s", "1s-",
        ];
        for text in refused {
            assert!(duration_second(&json!(text), "ttl", true).is_err(), "{text:?}");
        }
        for (text, secs) in [("1.s", 1), (".5s", 0), ("5\u{b5}s", 0), ("1h30m", 5400), ("-1.5h", -5400), ("0", 0), ("90", 90)] {
            assert_eq!(duration_second(&json!(text), "ttl", true).ok().flatten(), Some(secs), "{text:?}");
        }
    }
}
