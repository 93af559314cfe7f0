//! Fuzzes the gate's HTTP/1.1 response reader (`net::http::ResponseReader`) on arbitrary bytes,
//! split where byte 0 says, and the URL reader. Byte 0: bits 0-3 the split step (0 whole),
//! bit 4 a clean close (TLS close_notify), bit 5 a HEAD request.
//! Invariants: the answer does not depend on the split; an accepted response has a final status
//! in 200-599 and never 3xx, and a body within the cap; a URL that parses re-reads the same.
#![no_main]

use jwksgate::net::http::{ResponseReader, Url};
use libfuzzer_sys::fuzz_target;

const CAP: usize = 4096;

fn read(bytes: &[u8], step: usize, clean: bool, head: bool) -> Result<(u16, Vec<u8>), String> {
    let mut r = ResponseReader::new(CAP, head);
    let pieces: Vec<&[u8]> = if step == 0 { vec![bytes] } else { bytes.chunks(step).collect() };
    for p in pieces {
        r.push(p).map_err(|e| e.code().as_str().to_owned())?;
    }
    if !r.is_done() {
        r.finish(clean).map_err(|e| e.code().as_str().to_owned())?;
    }
    r.take_response().map(|x| (x.status, x.body)).map_err(|e| e.code().as_str().to_owned())
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let step = usize::from(mode & 0x0f);
    let (clean, head) = (mode & 0x10 != 0, mode & 0x20 != 0);
    let whole = read(rest, 0, clean, head);
    let split = read(rest, step, clean, head);
    assert_eq!(whole, split, "the answer depends on the split ({step})");
    if let Ok((status, body)) = &whole {
        assert!((200..=599).contains(status) && !(300..=399).contains(status), "status {status}");
        assert!(body.len() <= CAP);
        if head || *status == 204 {
            assert!(body.is_empty());
        }
    }
    if let Ok(text) = core::str::from_utf8(rest) {
        if let Ok(u) = Url::parse(text) {
            let again = Url::parse(&format!("https://{}{}", u.authority(), u.target())).expect("a parsed URL re-reads");
            assert_eq!(again, u);
        }
    }
});
