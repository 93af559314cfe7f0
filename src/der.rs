//! RSA public keys in DER and PEM: SubjectPublicKeyInfo (RFC 5280 section 4.1, RFC 3279
//! section 2.3.1) and PKCS#1 RSAPublicKey (RFC 8017 appendix A.1.1), in PEM armour (RFC 7468).
//! Only the strict DER subset these structures need is read or written.

use crate::error::{err, Code, Result};
use base64::Engine;

const RSA_ENCRYPTION_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
/// Largest PEM text accepted.
pub const MAX_PEM_BYTES: usize = 16 * 1024;

/// DER SubjectPublicKeyInfo for an RSA key given big-endian `n` and `e` without leading zeros.
pub fn spki_der(n: &[u8], e: &[u8]) -> Vec<u8> {
    let rsa_key = tlv(0x30, &[integer(n), integer(e)].concat());
    let mut bit_string = vec![0u8];
    bit_string.extend_from_slice(&rsa_key);
    let alg_id = tlv(0x30, &[tlv(0x06, RSA_ENCRYPTION_OID), tlv(0x05, &[])].concat());
    tlv(0x30, &[alg_id, tlv(0x03, &bit_string)].concat())
}

/// A big-endian magnitude without its leading zero octets.
pub(crate) fn strip_leading_zeros(mut bytes: &[u8]) -> &[u8] {
    while let [0, rest @ ..] = bytes {
        bytes = rest;
    }
    bytes
}

fn integer(magnitude: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(magnitude.len() + 1);
    if magnitude.first().is_none_or(|&b| b & 0x80 != 0) {
        body.push(0);
    }
    body.extend_from_slice(magnitude);
    tlv(0x02, &body)
}

fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = body.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let bytes = strip_leading_zeros(&bytes);
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(bytes);
    }
    out.extend_from_slice(body);
    out
}

/// Reads a PEM `PUBLIC KEY` (SPKI) or `RSA PUBLIC KEY` (PKCS#1) block and returns `(n, e)`,
/// big-endian without leading zeros. Text around the block is ignored; exactly one block.
pub fn rsa_public_key_from_pem(pem: &str) -> Result<(Vec<u8>, Vec<u8>)> {
    if pem.len() > MAX_PEM_BYTES {
        return err(Code::JwkInvalid, format!("PEM input is over {MAX_PEM_BYTES} bytes"));
    }
    let (label, der) = pem_block(pem)?;
    match label {
        "PUBLIC KEY" => spki_rsa(&der),
        "RSA PUBLIC KEY" => pkcs1_rsa(&der),
        "CERTIFICATE" => err(Code::NotSupported, "PEM holds a certificate; give its public key (openssl x509 -pubkey -noout)"),
        l if l.contains("PRIVATE KEY") => err(Code::JwkInvalid, "PEM holds a private key; give the public key only"),
        _ => err(Code::NotSupported, "PEM label must be PUBLIC KEY or RSA PUBLIC KEY"),
    }
}

fn pem_block(pem: &str) -> Result<(&str, Vec<u8>)> {
    let bad = || crate::error::Error::new(Code::JwkInvalid, "not a PEM block (-----BEGIN ...----- ... -----END ...-----)");
    let (_, rest) = pem.split_once("-----BEGIN ").ok_or_else(bad)?;
    let (label, body_and_end) = rest.split_once("-----").ok_or_else(bad)?;
    let (body, after) = body_and_end.split_once(&format!("-----END {label}-----")).ok_or_else(bad)?;
    if after.contains("-----BEGIN ") {
        return err(Code::JwkInvalid, "PEM input holds more than one block; give one key");
    }
    let body: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body.as_bytes())
        .map_err(|_| crate::error::Error::new(Code::JwkInvalid, "PEM body is not valid base64"))?;
    Ok((label, der))
}

/// A strict DER reader over one buffer.
struct Der<'a>(&'a [u8]);

impl<'a> Der<'a> {
    fn read(&mut self, tag: u8) -> Result<&'a [u8]> {
        let bad = |what: &str| crate::error::Error::new(Code::JwkInvalid, format!("malformed DER: {what}"));
        let (&t, rest) = self.0.split_first().ok_or_else(|| bad("truncated"))?;
        if t != tag {
            return Err(bad("unexpected tag"));
        }
        let (&first, mut rest) = rest.split_first().ok_or_else(|| bad("truncated"))?;
        let len = if first < 0x80 {
            first as usize
        } else {
            let count = (first & 0x7f) as usize;
            if count == 0 || count > 4 {
                return Err(bad("bad length"));
            }
            let (bytes, r) = rest.split_at_checked(count).ok_or_else(|| bad("bad length"))?;
            rest = r;
            if bytes.first() == Some(&0) {
                return Err(bad("non-minimal length"));
            }
            let len = bytes.iter().fold(0usize, |acc, &b| (acc << 8) | b as usize);
            if len < 0x80 {
                return Err(bad("non-minimal length"));
            }
            len
        };
        let (body, after) = rest.split_at_checked(len).ok_or_else(|| bad("truncated"))?;
        self.0 = after;
        Ok(body)
    }

    fn finish(&self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            err(Code::JwkInvalid, "malformed DER: trailing data")
        }
    }

    fn unsigned(&mut self) -> Result<Vec<u8>> {
        let body = self.read(0x02)?;
        match body {
            [] => err(Code::JwkInvalid, "malformed DER: empty INTEGER"),
            [b, ..] if b & 0x80 != 0 => err(Code::JwkInvalid, "RSA key has a negative integer"),
            [0, b, ..] if b & 0x80 == 0 => err(Code::JwkInvalid, "malformed DER: non-minimal INTEGER"),
            _ => Ok(body.iter().skip_while(|&&b| b == 0).copied().collect()),
        }
    }
}

fn pkcs1_rsa(der: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    let mut outer = Der(der);
    let mut seq = Der(outer.read(0x30)?);
    outer.finish()?;
    let n = seq.unsigned()?;
    let e = seq.unsigned()?;
    seq.finish()?;
    Ok((n, e))
}

fn spki_rsa(der: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    let mut outer = Der(der);
    let mut spki = Der(outer.read(0x30)?);
    outer.finish()?;
    let mut alg = Der(spki.read(0x30)?);
    if alg.read(0x06)? != RSA_ENCRYPTION_OID {
        return err(Code::NotSupported, "only RSA public keys (rsaEncryption) are supported");
    }
    // The parameters are NULL (RFC 3279 section 2.3.1), though some encoders omit them.
    if !alg.0.is_empty() && !alg.read(0x05)?.is_empty() {
        return err(Code::JwkInvalid, "malformed DER: NULL with content");
    }
    alg.finish()?;
    let bits = spki.read(0x03)?;
    spki.finish()?;
    match bits.split_first() {
        Some((0, key)) => pkcs1_rsa(key),
        _ => err(Code::JwkInvalid, "malformed DER: BIT STRING"),
    }
}
