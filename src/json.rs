//! Bounded, strict JSON (RFC 8259) for JOSE headers, claims and key sets: duplicate member
//! names are refused (RFC 7515 section 5.2 lets a parser do so, RFC 8725 section 3.x advises
//! it), nesting is capped, and input size is checked by the caller before parsing.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::map::Entry;
use serde_json::{Map, Value};
use std::fmt;

/// Deepest nesting of arrays and objects accepted anywhere.
pub const MAX_DEPTH: usize = 64;

/// Parses `input` as JSON, refusing duplicate object members, nesting deeper than
/// [`MAX_DEPTH`] and trailing data. The error is a short description without the input.
pub fn parse(input: &[u8]) -> Result<Value, String> {
    if depth_exceeds(input, MAX_DEPTH) {
        return Err(format!("JSON nested deeper than {MAX_DEPTH} levels"));
    }
    let mut de = serde_json::Deserializer::from_slice(input);
    let value = Strict::deserialize(&mut de).map_err(|e| describe(&e))?;
    de.end().map_err(|e| describe(&e))?;
    Ok(value.0)
}

/// serde_json's messages name the problem and its position, never the input's bytes.
fn describe(e: &serde_json::Error) -> String {
    e.to_string()
}

/// A cheap scan that counts brackets outside strings, so a hostile 10,000-deep document is
/// refused before any recursion happens.
fn depth_exceeds(input: &[u8], max: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in input {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v).map(Value::Number).ok_or_else(|| E::custom("number out of range"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            // One search of the map per member: the entry is the duplicate check and the slot.
            match out.entry(key) {
                Entry::Occupied(e) => return Err(de::Error::custom(format!("duplicate member {:?}", crate::error::short(e.key())))),
                Entry::Vacant(e) => {
                    let Strict(v) = map.next_value()?;
                    e.insert(v);
                }
            }
        }
        Ok(Value::Object(out))
    }
}


#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn table() {
        let deep_ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        let deep_bad = "[".repeat(10_000) + &"]".repeat(10_000);
        let cases: &[(&str, bool)] = &[
            (r#"{"a":1}"#, true),
            (r#"{"a":1,"a":2}"#, false),
            (r#"{"a":{"b":1,"b":1}}"#, false),
            (r#"{"a":"[[[["}"#, true),
            (r#"{"a":1} x"#, false),
            ("\u{feff}{}", false),
            (r#"{"a":1e999}"#, false),
            ("", false),
            (&deep_ok, true),
            (&deep_bad, false),
        ];
        for (input, ok) in cases {
            assert_eq!(parse(input.as_bytes()).is_ok(), *ok, "{}", &input[..input.len().min(40)]);
        }
    }
}
