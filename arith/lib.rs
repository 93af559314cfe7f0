//! jwksgate's arithmetic, built at opt-level 3 while the rest of jwksgate is built for size
//! (opt-level is per crate; see Cargo.toml): the RSA public operation (`modexp`), the NIST
//! curves' fields and points (`nistp256`, `nistp384`, `nistp521` over `weierstrass`) and
//! Ed25519's (`ed25519`). The files live in ../src/jwa/ beside the code that uses them;
//! jwksgate's `jwa` module re-exports each, so `jwksgate::jwa::modexp` and the others keep their
//! paths.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// As in src/lib.rs: untrusted input must come back as an error value, never a panic.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

#[path = "../src/jwa/ed25519/mod.rs"]
pub mod ed25519;
#[path = "../src/jwa/modexp.rs"]
pub mod modexp;
#[path = "../src/jwa/nistp256/mod.rs"]
pub mod nistp256;
#[path = "../src/jwa/nistp384/mod.rs"]
pub mod nistp384;
#[path = "../src/jwa/nistp521/mod.rs"]
pub mod nistp521;
#[path = "../src/jwa/weierstrass/mod.rs"]
pub mod weierstrass;
#[path = "../src/jwa/words.rs"]
pub mod words;

/// The modules name each other as jwksgate's `jwa` module holds them (`crate::jwa::words`).
mod jwa {
    pub use super::words;
}
