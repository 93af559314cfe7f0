//! The TokenReview (authentication.k8s.io/v1) a Kubernetes login asks the API server for, and
//! the check of its answer, as vault-plugin-auth-kubernetes token_review.go `Review` (with
//! `parseResponse`) and path_login.go `(*serviceAccount).lookup` make them. Every failure here
//! reaches the client as Vault's 403 `permission denied`; the reason is for the log.

use crate::gate::fields::{cut_name, quote};
use serde_json::{Map, Value};

/// Largest TokenReview answer read, in bytes.
pub const MAX_REVIEW_BYTES: usize = 64 * 1024;

/// What the API server said about the ServiceAccount: `tokenReviewResult`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reviewed {
    /// The namespace from `status.user.username`.
    pub namespace: String,
    /// The ServiceAccount's name from `status.user.username`.
    pub name: String,
    /// `status.user.uid`.
    pub uid: String,
}

/// The request `Review` sends: `POST <host>/apis/authentication.k8s.io/v1/tokenreviews`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewRequest {
    /// The URL.
    pub url: String,
    /// `Authorization`, `Content-Type`, `Accept`, as `setRequestHeader` sets them.
    pub headers: Vec<(String, String)>,
    /// `json.Marshal(authv1.TokenReview{Spec: {Token, Audiences}})`, byte for byte.
    pub body: String,
}

/// The body Go's `json.Marshal` writes for a TokenReview with only its spec set: the empty
/// ObjectMeta and Status are structs, which `omitempty` keeps.
pub fn request_body(token: &str, audiences: &[String]) -> String {
    let mut body = String::from("{\"metadata\":{\"creationTimestamp\":null},\"spec\":{\"token\":");
    body.push_str(&go_json(&Value::String(token.to_owned())));
    if !audiences.is_empty() {
        body.push_str(",\"audiences\":");
        body.push_str(&go_json(&Value::from(audiences.to_vec())));
    }
    body.push_str("},\"status\":{\"user\":{}}}");
    body
}

/// `encoding/json`'s text of a value: serde_json's, with `<`, `>`, `&`, U+2028 and U+2029
/// escaped as Go escapes them (none of them can appear escaped already in serde_json's output).
fn go_json(v: &Value) -> String {
    v.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026").replace('\u{2028}', "\\u2028").replace('\u{2029}', "\\u2029")
}

/// The request for `token`, reviewed for `audiences`, with `bearer` (the reviewer's token, or
/// the client's own when none is configured).
pub fn request(url: &str, token: &str, audiences: &[String], bearer: &str) -> ReviewRequest {
    ReviewRequest {
        url: url.to_owned(),
        headers: vec![
            ("Authorization".into(), format!("Bearer {}", bearer.trim())),
            ("Content-Type".into(), "application/json".into()),
            ("Accept".into(), "application/json".into()),
        ],
        body: request_body(token, audiences),
    }
}

/// Go's `%v` of a `[]string`: `[a b]`.
fn go_list(l: &[String]) -> String {
    format!("[{}]", l.iter().map(|s| cut_name(s)).collect::<Vec<_>>().join(" "))
}

fn strings(v: Option<&Value>, what: &str) -> Result<Vec<String>, String> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(a)) => a.iter().map(|x| x.as_str().map(str::to_owned).ok_or_else(|| format!("json: cannot unmarshal into {what} of type string"))).collect(),
        Some(_) => Err(format!("json: cannot unmarshal into {what} of type []string")),
    }
}

fn string<'a>(obj: &'a Map<String, Value>, k: &str, what: &str) -> Result<&'a str, String> {
    match obj.get(k) {
        None | Some(Value::Null) => Ok(""),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(format!("json: cannot unmarshal into {what} of type string")),
    }
}

fn object<'a>(obj: &'a Map<String, Value>, k: &str, what: &str) -> Result<Option<&'a Map<String, Value>>, String> {
    match obj.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(format!("json: cannot unmarshal into {what} of type object")),
    }
}

/// `parseResponse` then `Review`: the answer's status and body, checked for `wanted` audiences.
/// The error is `Review`'s (or Go's decoding error), for the log.
pub fn check_answer(status: u16, body: &[u8], wanted: &[String]) -> Result<Reviewed, String> {
    if body.len() > MAX_REVIEW_BYTES {
        return Err(format!("the TokenReview answer is larger than {MAX_REVIEW_BYTES} bytes"));
    }
    if !(200..=206).contains(&status) {
        if status == 401 {
            return Err("lookup failed: service account unauthorized; this could mean it has been deleted or recreated with a new token".into());
        }
        let text = String::from_utf8_lossy(body);
        return Err(format!("the server responded with status {status}: {}", quote(text.trim())));
    }
    let value = crate::json::parse(body).map_err(|e| format!("the TokenReview answer is not JSON: {e}"))?;
    let root = value.as_object().ok_or("json: cannot unmarshal the answer into Go value of type v1.TokenReview")?;
    // parseResponse reads the body as a metav1.Status first: one whose `status` is a string, or
    // absent, and not "Success", is an API error.
    match root.get("status") {
        None | Some(Value::Null) => return Err("the answer is a Status, not a TokenReview".into()),
        Some(Value::String(s)) if s != "Success" => {
            let message = root.get("message").and_then(Value::as_str).unwrap_or_default();
            return Err(format!("the API server answered a Status {}: {}", quote(s), quote(message)));
        }
        _ => {}
    }
    let st = object(root, "status", "TokenReview.status")?.ok_or("json: cannot unmarshal string into Go struct field TokenReview.status")?;
    let error = string(st, "error", "TokenReviewStatus.error")?;
    let authenticated = match st.get("authenticated") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err("json: cannot unmarshal into Go struct field TokenReviewStatus.status.authenticated of type bool".into()),
    };
    let audiences = strings(st.get("audiences"), "TokenReviewStatus.audiences")?;
    let user = object(st, "user", "TokenReviewStatus.user")?;
    let empty = Map::new();
    let user = user.unwrap_or(&empty);
    let username = string(user, "username", "UserInfo.username")?;
    let uid = string(user, "uid", "UserInfo.uid")?;
    if !error.is_empty() {
        return Err(format!("lookup failed: {error}"));
    }
    if !authenticated {
        return Err("lookup failed: service account jwt not valid".into());
    }
    if !wanted.is_empty() && !wanted.iter().any(|w| audiences.contains(w)) {
        return Err(format!("lookup failed: service account jwt valid for audience(s) {}, but wanted {}", go_list(&audiences), go_list(wanted)));
    }
    let parts: Vec<&str> = username.split(':').collect();
    let [system, kind, namespace, name] = parts.as_slice() else {
        return Err("lookup failed: unexpected username format".into());
    };
    if *system != "system" || *kind != "serviceaccount" {
        return Err("lookup failed: username returned is not a service account".into());
    }
    Ok(Reviewed { namespace: (*namespace).to_owned(), name: (*name).to_owned(), uid: uid.to_owned() })
}

/// `lookup`'s comparison of the review with the token's claims, in its order and words (its
/// "namepaces" included).
pub fn compare(reviewed: &Reviewed, name: &str, uid: &str, namespace: &str) -> Result<(), String> {
    if name != reviewed.name {
        return Err("JWT names did not match".into());
    }
    if uid != reviewed.uid {
        return Err("JWT UIDs did not match".into());
    }
    if namespace != reviewed.namespace {
        return Err("JWT namepaces did not match".into());
    }
    Ok(())
}
