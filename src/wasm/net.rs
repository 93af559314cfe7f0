//! The gate's HTTPS client for pinned CAs (`crate::net`), as worker/src/net.mjs drives it: the
//! JS side connects a socket and moves bytes; URL, roots, names, framing and caps are decided
//! in Rust. Errors carry the codes of `crate::net::NetCode`.

use super::convert::{array_items, bytes_arg, coded, get, is_array, string_arg, to_js};
use crate::error::Code;
use crate::net::http::{self, MAX_REQUEST_BODY_BYTES};
use crate::net::tls::MAX_CA_PEM_BYTES;
use crate::net::{HttpsExchange, NetError, Request};
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

fn net_js(e: NetError) -> JsValue {
    coded(e.code().as_str(), e.message())
}

/// `[[name, value], ...]` of strings, at most `http::MAX_HEADERS` pairs.
fn header_pairs(value: &JsValue) -> Result<Vec<(String, String)>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    if !is_array(value, "headers").map_err(to_js)? {
        return Err(to_js(super::convert::invalid("headers must be an array of [name, value] pairs")));
    }
    let mut out = Vec::new();
    for pair in array_items(value, "headers", http::MAX_HEADERS as u32).map_err(to_js)? {
        let name = get(&pair, &0.into(), "a header name").map_err(to_js)?;
        let val = get(&pair, &1.into(), "a header value").map_err(to_js)?;
        let name = string_arg(&name, "a header name", 256, Code::InvalidArgument).map_err(to_js)?;
        let val = string_arg(&val, "a header value", 16 * 1024, Code::InvalidArgument).map_err(to_js)?;
        out.push((name, val));
    }
    Ok(out)
}

/// One HTTPS request over one connection (`crate::net::HttpsExchange`).
#[wasm_bindgen(js_name = HttpsExchange)]
pub struct JsHttpsExchange {
    inner: HttpsExchange,
}

#[wasm_bindgen(js_class = HttpsExchange)]
impl JsHttpsExchange {
    /// Checks the URL (https only), the CA bundle (its certificates the only roots), the method
    /// and the headers; writes the request and starts the TLS handshake at `nowMs`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "string")] url: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] ca_pem: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] method: JsValue,
        #[wasm_bindgen(unchecked_param_type = "[string, string][] | null")] headers: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | null")] body: JsValue,
        max_bytes: f64,
        now_ms: f64,
    ) -> Result<JsHttpsExchange, JsValue> {
        let url = string_arg(&url, "url", 8 * 1024, Code::InvalidArgument).map_err(to_js)?;
        let ca_pem = string_arg(&ca_pem, "caPem", MAX_CA_PEM_BYTES, Code::InvalidArgument).map_err(to_js)?;
        let method = string_arg(&method, "method", 16, Code::InvalidArgument).map_err(to_js)?;
        let headers = header_pairs(&headers)?;
        let body = if body.is_undefined() || body.is_null() {
            Vec::new()
        } else {
            bytes_arg(&body, "body", MAX_REQUEST_BODY_BYTES)
                .map_err(to_js)?
                .ok_or_else(|| to_js(super::convert::invalid(format!("body is over {MAX_REQUEST_BODY_BYTES} bytes"))))?
        };
        if !(max_bytes.is_finite() && max_bytes >= 0.0 && now_ms.is_finite() && now_ms >= 0.0) {
            return Err(to_js(super::convert::invalid("maxBytes and nowMs must be non-negative numbers")));
        }
        let request = Request { url: &url, ca_pem: &ca_pem, method: &method, headers: &headers, body: &body, max_body: max_bytes as usize, now: (now_ms / 1000.0) as u64 };
        Ok(JsHttpsExchange { inner: HttpsExchange::new(&request).map_err(net_js)? })
    }

    /// The host to connect to (an IPv6 address without brackets).
    #[wasm_bindgen(getter)]
    pub fn hostname(&self) -> String {
        self.inner.host().to_owned()
    }

    /// The port to connect to.
    #[wasm_bindgen(getter)]
    pub fn port(&self) -> u16 {
        self.inner.port()
    }

    /// TLS bytes to write to the socket now (empty when there are none).
    #[wasm_bindgen(js_name = takeOutgoing)]
    pub fn take_outgoing(&mut self) -> Uint8Array {
        Uint8Array::from(self.inner.take_outgoing().as_slice())
    }

    /// Bytes read from the socket; true once the response is complete.
    pub fn receive(&mut self, #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue) -> Result<bool, JsValue> {
        let bytes = bytes_arg(&bytes, "bytes", 1 << 20).map_err(to_js)?.ok_or_else(|| to_js(super::convert::invalid("bytes: a read of more than 1 MiB")))?;
        self.inner.receive(&bytes).map_err(net_js)
    }

    /// The socket's readable side ended: throws unless the response is complete.
    pub fn end(&mut self) -> Result<(), JsValue> {
        self.inner.end().map_err(net_js)
    }

    /// `{ status, headers: [[name, value], ...], body: Uint8Array }`, once complete.
    #[wasm_bindgen(unchecked_return_type = "{ status: number; headers: [string, string][]; body: Uint8Array }")]
    pub fn response(&mut self) -> Result<JsValue, JsValue> {
        let r = self.inner.response().map_err(net_js)?;
        let headers = Array::new();
        for (k, v) in &r.headers {
            headers.push(&Array::of2(&k.into(), &v.into()));
        }
        let out = Object::new();
        Reflect::set(&out, &"status".into(), &r.status.into())?;
        Reflect::set(&out, &"headers".into(), &headers)?;
        Reflect::set(&out, &"body".into(), &Uint8Array::from(r.body.as_slice()))?;
        Ok(out.into())
    }
}

/// Whether two URLs have one origin as this client reads them (`crate::net::http::same_origin`):
/// where an authenticated discovery's bearer token may go.
#[wasm_bindgen(js_name = sameOrigin)]
pub fn same_origin(a: &str, b: &str) -> bool {
    http::same_origin(a, b)
}
