//! Bounded, strict JSON (RFC 8259) for JOSE headers, claims and key sets: duplicate member
//! names are refused (RFC 7515 section 5.2 lets a parser do so, RFC 8725 section 3.x advises
//! it), nesting is capped, and input size is checked by the caller before parsing.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::map::Entry;
use serde_json::{Map, Value};
use std::fmt;

/// Deepest nesting of arrays and objects accepted anywhere.
pub const MAX_DEPTH: usize = 64;

/// Parses `input` as JSON, refusing duplicate object members, nesting deeper than
/// [`MAX_DEPTH`] and trailing data. The error is a short description without the input.
pub fn parse(input: &[u8]) -> Result<Value, String> {
    let mut de = serde_json::Deserializer::from_slice(input);
    let value = Strict { depth: 0 }.deserialize(&mut de).map_err(|e| describe(&e))?;
    de.end().map_err(|e| describe(&e))?;
    Ok(value)
}

/// serde_json's messages name the problem and its position, never the input's bytes.
fn describe(e: &serde_json::Error) -> String {
    e.to_string()
}

/// A value `depth` arrays and objects deep. The array or object that would be the
/// (MAX_DEPTH + 1)th level is refused where it opens, so a hostile 10,000-deep document costs
/// MAX_DEPTH levels of recursion (serde_json's own limit, 128, is never reached). This replaced
/// a scan of the whole input before parsing: one pass less over every header and payload.
#[derive(Clone, Copy)]
struct Strict {
    depth: usize,
}

impl Strict {
    fn inner<E: de::Error>(self) -> Result<Strict, E> {
        if self.depth >= MAX_DEPTH {
            return Err(E::custom(format!("JSON nested deeper than {MAX_DEPTH} levels")));
        }
        Ok(Strict { depth: self.depth + 1 })
    }
}

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
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
        let inner = self.inner()?;
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(inner)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let inner = self.inner()?;
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            // One search of the map per member: the entry is the duplicate check and the slot.
            match out.entry(key) {
                Entry::Occupied(e) => return Err(de::Error::custom(format!("duplicate member {:?}", crate::error::short(e.key())))),
                Entry::Vacant(e) => {
                    e.insert(map.next_value_seed(inner)?);
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
        let deep_65 = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        // Objects and arrays count alike: 64 levels of {"a":[...]} pairs and one more array.
        let mixed = |levels: usize| {
            let (open, close): (String, String) = (0..levels).map(|i| if i % 2 == 0 { ("{\"a\":", "}") } else { ("[", "]") }).unzip();
            open + "1" + &close.chars().rev().collect::<String>()
        };
        let (mixed_ok, mixed_bad) = (mixed(MAX_DEPTH), mixed(MAX_DEPTH + 1));
        // Unclosed: refused for its depth before the end of the input is reached.
        let open_bad = "[".repeat(MAX_DEPTH + 1);
        let in_string = format!("{{\"a\":\"{}\"}}", "[".repeat(1000));
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
            (&deep_65, false),
            (&mixed_ok, true),
            (&mixed_bad, false),
            (&open_bad, false),
            (&in_string, true),
        ];
        for (input, ok) in cases {
            assert_eq!(parse(input.as_bytes()).is_ok(), *ok, "{}", &input[..input.len().min(40)]);
        }
        for input in [&deep_bad, &deep_65, &mixed_bad, &open_bad] {
            let e = parse(input.as_bytes()).unwrap_err();
            assert!(e.starts_with("JSON nested deeper than 64 levels"), "{e}");
        }
    }
}
