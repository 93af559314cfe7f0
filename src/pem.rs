//! PEM armour (RFC 7468): the one reader of `-----BEGIN label-----` ... `-----END label-----`
//! blocks, for the package, the page, the worker and the command (issue 22). A block's label
//! (RFC 7468 section 3: printable characters but `-`, words separated by one space) must be
//! repeated exactly by its END line; its body is standard base64 (padding required) with
//! whitespace between characters, and nothing else (no RFC 1421 headers). Text outside blocks
//! is ignored (RFC 7468 section 5.2's explanatory text, such as `openssl x509 -text` output).
//! What a block holds is for the caller (`der` reads keys and certificates).

use crate::error::{err, Code, Error, Result};
use base64::Engine;

/// Largest PEM text read (a bundle of blocks): 1 MiB, the JWKS bound's order.
pub const MAX_PEM_TEXT_BYTES: usize = 1024 * 1024;
/// Most blocks read from one text, as a JWKS holds at most so many keys.
pub const MAX_BLOCKS: usize = 100;

/// One PEM block: its label and its DER octets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// `CERTIFICATE`, `PUBLIC KEY`, ...
    pub label: String,
    /// The decoded body.
    pub der: Vec<u8>,
}

impl Block {
    /// A certificate (`CERTIFICATE`), whose subject key a key reader takes.
    pub fn is_certificate(&self) -> bool {
        self.label == "CERTIFICATE"
    }
}

const BEGIN: &str = "-----BEGIN ";
const DASHES: &str = "-----";

/// Whether `text` holds a PEM pre-encapsulation boundary at all (what a host tells PEM from
/// JSON by; the blocks are read by [`blocks`]).
pub fn looks_like_pem(text: &str) -> bool {
    crate::ascii::contains(text, BEGIN)
}

/// Every block of `text`, in order: at least one, at most [`MAX_BLOCKS`]. A BEGIN line without
/// its END, a label that differs, a malformed label or a body that is not base64 is an error
/// (`ERR_JWK_INVALID`) naming the block.
pub fn blocks(text: &str) -> Result<Vec<Block>> {
    if text.len() > MAX_PEM_TEXT_BYTES {
        return err(Code::JwkInvalid, format!("PEM input is over {MAX_PEM_TEXT_BYTES} bytes"));
    }
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = crate::ascii::find(rest, BEGIN) {
        // One message shape for every fault (one `format!` in the wasm, not one per fault).
        let after = rest.get(start + BEGIN.len()..).unwrap_or_default();
        let (block, next) = if out.len() == MAX_BLOCKS { Err("more than 100 blocks") } else { one(after) }
            .map_err(|why| Error::new(Code::JwkInvalid, format!("PEM block {}: {why}", out.len() + 1)))?;
        out.push(block);
        rest = next;
    }
    if out.is_empty() {
        return err(Code::JwkInvalid, "no PEM block (-----BEGIN ...----- ... -----END ...-----)");
    }
    Ok(out)
}

/// The block whose BEGIN line's label starts `after`, and the text after its END line.
fn one(after: &str) -> core::result::Result<(Block, &str), &'static str> {
    let (label, body_and_end) = crate::ascii::split_once(after, DASHES).ok_or("its BEGIN line does not end in -----")?;
    if !valid_label(label) {
        return Err("its label is not a PEM label");
    }
    // The first END line closes it, and must repeat the label: blocks do not nest.
    let (body, end) = crate::ascii::split_once(body_and_end, "-----END ").ok_or("no -----END line")?;
    if crate::ascii::contains(body, DASHES) {
        return Err("another boundary comes before its -----END line");
    }
    let rest = end.strip_prefix(label).and_then(|e| e.strip_prefix(DASHES)).ok_or("its -----END line names another label")?;
    let b64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD.decode(b64.as_bytes()).map_err(|_| "the body is not valid base64")?;
    if der.is_empty() {
        return Err("the body is empty");
    }
    Ok((Block { label: label.to_owned(), der }, rest))
}

/// Exactly one block (a second one is an error: give one key).
pub fn block(text: &str) -> Result<Block> {
    let mut all = blocks(text)?;
    match (all.pop(), all.is_empty()) {
        (Some(b), true) => Ok(b),
        _ => err(Code::JwkInvalid, "PEM input holds more than one block; give one key"),
    }
}

/// RFC 7468 section 3's `label`: printable ASCII words joined by one space or one `-`, at most
/// 64 characters here (the longest in use is `ENCRYPTED PRIVATE KEY`).
fn valid_label(label: &str) -> bool {
    let sep = |b: u8| b == b' ' || b == b'-';
    let bytes = label.as_bytes();
    !label.is_empty()
        && label.len() <= 64
        && bytes.iter().all(|&b| (0x21..=0x7e).contains(&b) || b == b' ')
        && !bytes.first().is_some_and(|&b| sep(b))
        && !bytes.last().is_some_and(|&b| sep(b))
        && !bytes.windows(2).any(|w| w.iter().all(|&b| sep(b)))
}
