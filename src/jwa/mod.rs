//! The JWS signature algorithms (RFC 7518 section 3): their names and hashes, and the
//! verification of each family with the arithmetic it needs. Depends on `der`, `json` and
//! `error` only.

pub mod alg;
pub mod modexp;
pub mod rsa;
