//! A JSON Merge Patch (RFC 7396) on an object's top level, for tables that change one setting of
//! a configuration at a time: each member of `patch` set, or removed when it is null.

use serde_json::Value;

pub fn merged(base: &Value, patch: &Value) -> Value {
    let mut out = base.as_object().cloned().unwrap_or_default();
    for (k, v) in patch.as_object().into_iter().flatten() {
        if v.is_null() {
            out.remove(k);
        } else {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}
