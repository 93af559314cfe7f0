//! Public keys in DER and PEM: SubjectPublicKeyInfo (RFC 5280 section 4.1) for RSA (RFC 3279
//! section 2.3.1), EC (RFC 5480 section 2) and Ed25519 (RFC 8410 section 4), PKCS#1 RSAPublicKey
//! (RFC 8017 appendix A.1.1), and the SubjectPublicKeyInfo inside an X.509 certificate, in PEM
//! armour (RFC 7468). Only the strict DER subset these structures need is read or written.

use crate::error::{err, Code, Error, Result};

const RSA_ENCRYPTION_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
/// id-ecPublicKey, 1.2.840.10045.2.1 (RFC 5480 section 2.1.1).
const EC_PUBLIC_KEY_OID: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// id-Ed25519, 1.3.101.112 (RFC 8410 section 3).
const ED25519_OID: &[u8] = &[0x2b, 0x65, 0x70];
/// Largest PEM text accepted.
pub const MAX_PEM_BYTES: usize = 16 * 1024;

/// The public key a SubjectPublicKeyInfo carries, as far as DER goes: each family's own checks
/// (modulus size, point on the curve) are its importer's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpkiKey {
    /// rsaEncryption: big-endian `n` and `e` without leading zeros.
    Rsa {
        /// The modulus.
        n: Vec<u8>,
        /// The public exponent.
        e: Vec<u8>,
    },
    /// id-ecPublicKey with a named curve: the curve's OID (DER content octets) and the SEC1
    /// point (RFC 5480 section 2.2; compressed or uncompressed).
    Ec {
        /// The namedCurve OID's content octets.
        curve_oid: Vec<u8>,
        /// The SEC1 encoded point.
        point: Vec<u8>,
    },
    /// id-Ed25519: the 32-octet public key (RFC 8410 section 4).
    Ed25519(Vec<u8>),
}

/// DER SubjectPublicKeyInfo for an RSA key given big-endian `n` and `e` without leading zeros.
pub fn rsa_spki_der(n: &[u8], e: &[u8]) -> Vec<u8> {
    let rsa_key = tlv(0x30, &[integer(n), integer(e)].concat());
    spki(&tlv(0x30, &[tlv(0x06, RSA_ENCRYPTION_OID), tlv(0x05, &[])].concat()), &rsa_key)
}

/// DER SubjectPublicKeyInfo for an EC key: `curve_oid` the namedCurve OID's content octets,
/// `point` the SEC1 point, as Go's `x509.MarshalPKIXPublicKey` writes it (the Kubernetes key id
/// hashes this).
pub fn ec_spki_der(curve_oid: &[u8], point: &[u8]) -> Vec<u8> {
    spki(&tlv(0x30, &[tlv(0x06, EC_PUBLIC_KEY_OID), tlv(0x06, curve_oid)].concat()), point)
}

/// DER SubjectPublicKeyInfo for an Ed25519 key (parameters absent, RFC 8410 section 3).
pub fn ed25519_spki_der(key: &[u8]) -> Vec<u8> {
    spki(&tlv(0x30, &tlv(0x06, ED25519_OID)), key)
}

fn spki(alg_id: &[u8], key: &[u8]) -> Vec<u8> {
    let mut bit_string = vec![0u8];
    bit_string.extend_from_slice(key);
    tlv(0x30, &[alg_id, &tlv(0x03, &bit_string)].concat())
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

/// Reads one PEM block: a `PUBLIC KEY` (SPKI), an `RSA PUBLIC KEY` (PKCS#1) or a `CERTIFICATE`
/// (its subject's public key; the certificate itself is not checked, as `jose`'s `importX509`
/// and Vault's `jwt_validation_pubkeys` do not). Text around the block is ignored; exactly one.
pub fn public_key_from_pem(pem: &str) -> Result<SpkiKey> {
    public_key_from_block(&one_block(pem)?)
}

/// The public key of a PEM block read by [`crate::pem`], by its label.
pub fn public_key_from_block(block: &crate::pem::Block) -> Result<SpkiKey> {
    match block.label.as_str() {
        "PUBLIC KEY" => spki_key(&block.der),
        "RSA PUBLIC KEY" => pkcs1_rsa(&block.der).map(|(n, e)| SpkiKey::Rsa { n, e }),
        "CERTIFICATE" => certificate_key(&block.der),
        l if crate::ascii::contains(l, "PRIVATE KEY") => err(Code::JwkInvalid, "PEM holds a private key; give the public key only"),
        _ => err(Code::NotSupported, "PEM label must be PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE"),
    }
}

/// Reads one PEM `CERTIFICATE` block and returns its subject's public key (`jose`'s
/// `importX509`: the label must be CERTIFICATE).
pub fn certificate_key_from_pem(pem: &str) -> Result<SpkiKey> {
    match one_block(pem)? {
        b if b.is_certificate() => certificate_key(&b.der),
        _ => err(Code::JwkInvalid, "not a PEM certificate (-----BEGIN CERTIFICATE-----)"),
    }
}

fn one_block(pem: &str) -> Result<crate::pem::Block> {
    if pem.len() > MAX_PEM_BYTES {
        return err(Code::JwkInvalid, format!("PEM input is over {MAX_PEM_BYTES} bytes"));
    }
    crate::pem::block(pem)
}

/// An EC private key as PKCS#8 or SEC1 carry it, as far as DER goes: the scalar's range and
/// the point's agreement with it are the signer's checks.
#[cfg(any(feature = "gate", all(feature = "cli", not(target_arch = "wasm32"))))]
#[derive(Clone, PartialEq, Eq)]
pub struct EcPrivateKey {
    /// The namedCurve OID's content octets.
    pub curve_oid: Vec<u8>,
    /// The private scalar, big-endian, as encoded.
    pub d: Vec<u8>,
    /// The SEC1 public point, when the encoding carries it.
    pub point: Option<Vec<u8>>,
}

#[cfg(any(feature = "gate", all(feature = "cli", not(target_arch = "wasm32"))))]
impl core::fmt::Debug for EcPrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("EcPrivateKey(..)")
    }
}

/// SEC1 ECPrivateKey (RFC 5915 section 3): version 1, the scalar, then `[0]` namedCurve and
/// `[1]` the public point, each optional. `outer_curve` is PKCS#8's algorithm's curve, which a
/// `[0]` must repeat; one of the two must name the curve.
#[cfg(any(feature = "gate", all(feature = "cli", not(target_arch = "wasm32"))))]
fn sec1_ec_private_key(der: &[u8], outer_curve: Option<&[u8]>) -> Result<EcPrivateKey> {
    let mut outer = Der(der);
    let mut seq = Der(outer.read(0x30)?);
    outer.finish()?;
    if seq.read(0x02)? != [1] {
        return err(Code::JwkInvalid, "ECPrivateKey version must be 1");
    }
    let d = seq.read(0x04)?.to_vec();
    let mut curve = outer_curve.map(<[u8]>::to_vec);
    if seq.0.first() == Some(&0xa0) {
        let mut params = Der(seq.read(0xa0)?);
        let named = params.read(0x06).map_err(|_| Error::new(Code::NotSupported, "EC keys must name their curve (RFC 5480 namedCurve)"))?;
        params.finish()?;
        if curve.as_deref().is_some_and(|c| c != named) {
            return err(Code::JwkInvalid, "the ECPrivateKey names another curve than its PKCS#8 algorithm");
        }
        curve = Some(named.to_vec());
    }
    let mut point = None;
    if seq.0.first() == Some(&0xa1) {
        let mut public = Der(seq.read(0xa1)?);
        let bits = public.read(0x03)?;
        public.finish()?;
        let Some((0, key)) = bits.split_first() else { return err(Code::JwkInvalid, "malformed DER: BIT STRING") };
        point = Some(key.to_vec());
    }
    seq.finish()?;
    let curve_oid = curve.ok_or_else(|| Error::new(Code::NotSupported, "EC keys must name their curve (RFC 5480 namedCurve)"))?;
    Ok(EcPrivateKey { curve_oid, d, point })
}

/// A SEC1 `EC PRIVATE KEY` (RFC 5915 section 3, as `openssl ec` writes it).
#[cfg(any(feature = "gate", all(feature = "cli", not(target_arch = "wasm32"))))]
pub fn ec_private_key_sec1(der: &[u8]) -> Result<EcPrivateKey> {
    sec1_ec_private_key(der, None)
}

/// A PKCS#8 `PRIVATE KEY` (RFC 5208 section 5; RFC 5958's OneAsymmetricKey, version 0 or 1)
/// holding an id-ecPublicKey key with a named curve (RFC 5915 section 2). Other families are
/// `ERR_NOT_SUPPORTED`.
#[cfg(any(feature = "gate", all(feature = "cli", not(target_arch = "wasm32"))))]
pub fn ec_private_key_pkcs8(der: &[u8]) -> Result<EcPrivateKey> {
    let mut outer = Der(der);
    let mut info = Der(outer.read(0x30)?);
    outer.finish()?;
    let version = info.read(0x02)?;
    if version != [0] && version != [1] {
        return err(Code::JwkInvalid, "PKCS#8 version must be 0 or 1");
    }
    let mut alg = Der(info.read(0x30)?);
    if alg.read(0x06)? != EC_PUBLIC_KEY_OID {
        return err(Code::NotSupported, "the PKCS#8 key is not an EC key");
    }
    let curve = alg.read(0x06).map_err(|_| Error::new(Code::NotSupported, "EC keys must name their curve (RFC 5480 namedCurve)"))?;
    alg.finish()?;
    let key = sec1_ec_private_key(info.read(0x04)?, Some(curve))?;
    // [0] attributes and [1] publicKey (RFC 5958) are not needed: the point is checked against d.
    while !info.0.is_empty() {
        info.skip()?;
    }
    Ok(key)
}

/// A strict DER reader over one buffer.
struct Der<'a>(&'a [u8]);

impl<'a> Der<'a> {
    fn read(&mut self, tag: u8) -> Result<&'a [u8]> {
        let bad = |what: &str| Error::new(Code::JwkInvalid, format!("malformed DER: {what}"));
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

    /// The next element whole (tag, length and content), for structures read again later.
    fn read_element(&mut self, tag: u8) -> Result<&'a [u8]> {
        let start = self.0;
        self.read(tag)?;
        Ok(start.get(..start.len() - self.0.len()).unwrap_or_default())
    }

    /// Skips the next element, whatever its tag.
    fn skip(&mut self) -> Result<()> {
        let tag = *self.0.first().ok_or_else(|| Error::new(Code::JwkInvalid, "malformed DER: truncated"))?;
        self.read(tag).map(drop)
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

/// Parses a DER SubjectPublicKeyInfo of any supported family.
pub fn spki_key(der: &[u8]) -> Result<SpkiKey> {
    let mut outer = Der(der);
    let mut spki = Der(outer.read(0x30)?);
    outer.finish()?;
    let mut alg = Der(spki.read(0x30)?);
    let oid = alg.read(0x06)?;
    let bits = spki.read(0x03)?;
    spki.finish()?;
    let Some((0, key)) = bits.split_first() else {
        return err(Code::JwkInvalid, "malformed DER: BIT STRING");
    };
    match oid {
        RSA_ENCRYPTION_OID => {
            // The parameters are NULL (RFC 3279 section 2.3.1), though some encoders omit them.
            if !alg.0.is_empty() && !alg.read(0x05)?.is_empty() {
                return err(Code::JwkInvalid, "malformed DER: NULL with content");
            }
            alg.finish()?;
            pkcs1_rsa(key).map(|(n, e)| SpkiKey::Rsa { n, e })
        }
        EC_PUBLIC_KEY_OID => {
            // RFC 5480 section 2.1.1: namedCurve only; implicit and specified curves are refused.
            let curve_oid = alg
                .read(0x06)
                .map_err(|_| Error::new(Code::NotSupported, "EC keys must name their curve (RFC 5480 namedCurve)"))?;
            alg.finish()?;
            Ok(SpkiKey::Ec { curve_oid: curve_oid.to_vec(), point: key.to_vec() })
        }
        ED25519_OID => {
            // RFC 8410 section 3: the parameters MUST be absent.
            alg.finish()?;
            Ok(SpkiKey::Ed25519(key.to_vec()))
        }
        _ => err(Code::NotSupported, "only RSA, EC (P-256, P-384, P-521) and Ed25519 public keys are supported"),
    }
}

/// The subject's public key of a DER X.509 certificate (RFC 5280 section 4.1). Only the
/// structure up to `subjectPublicKeyInfo` is read, as `jose`'s `spkiFromX509` reads it; the
/// certificate's signature, validity and extensions are not checked.
pub fn certificate_key(der: &[u8]) -> Result<SpkiKey> {
    let mut outer = Der(der);
    let mut cert = Der(outer.read(0x30)?);
    outer.finish()?;
    let mut tbs = Der(cert.read(0x30)?);
    cert.read(0x30)?; // signatureAlgorithm
    cert.read(0x03)?; // signatureValue
    cert.finish()?;
    if tbs.0.first() == Some(&0xa0) {
        tbs.skip()?; // version [0] EXPLICIT
    }
    tbs.read(0x02)?; // serialNumber (any INTEGER: some are negative or over 20 octets)
    for _ in 0..4 {
        tbs.read(0x30)?; // signature, issuer, validity, subject
    }
    spki_key(tbs.read_element(0x30)?)
}
