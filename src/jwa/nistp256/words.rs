//! 256-bit integers as eight 32-bit words, least significant first: the shared helpers of
//! ../words.rs at this size.

pub use crate::jwa::words::{add, add_mod, bit, eq, from_be, geq, is_zero, sub, sub_mod};

/// An integer below 2^256, little-endian 32-bit words.
pub type W = [u32; 8];

pub const ZERO: W = [0; 8];
pub const ONE: W = crate::jwa::words::one();

/// 32 big-endian octets.
pub fn to_be(a: &W) -> Vec<u8> {
    crate::jwa::words::to_be(a, 32)
}
