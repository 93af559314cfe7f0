//! CIDR blocks (RFC 4632, RFC 4291 section 2.3) for Vault's `token_bound_cidrs`: a login or a
//! session is refused unless the caller's address falls in one of the role's blocks.

use crate::error::{Code, Error, Result};
use std::net::IpAddr;

/// An address block: a network address and a prefix length. A bare address is a /32 or /128.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

fn bits(ip: IpAddr) -> (u128, u8) {
    match ip {
        IpAddr::V4(a) => (u128::from(u32::from(a)), 32),
        IpAddr::V6(a) => (u128::from(a), 128),
    }
}

/// An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is the IPv4 address, as Go's net package treats it.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(a) => a.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

impl Cidr {
    /// Parses `a.b.c.d/n`, `x::y/n`, or a bare address. Host bits may be set (Go's
    /// `ParseCIDR` accepts them too); they are ignored when matching.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || Error::new(Code::ConfigInvalid, format!("invalid CIDR block {:?}", crate::error::short(text)));
        let (addr, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text.trim(), None),
        };
        let addr = canonical(addr.parse::<IpAddr>().map_err(|_| bad())?);
        let width = bits(addr).1;
        let prefix = match prefix {
            None => width,
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && p.len() <= 3 => p.parse::<u8>().map_err(|_| bad())?,
            Some(_) => return Err(bad()),
        };
        if prefix > width {
            return Err(bad());
        }
        Ok(Cidr { addr, prefix })
    }

    /// Whether `ip` is inside the block. IPv4 never matches an IPv6 block and the reverse,
    /// except through IPv4-mapped addresses.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let (net, width) = bits(self.addr);
        let (host, host_width) = bits(canonical(ip));
        if width != host_width {
            return false;
        }
        if self.prefix == 0 {
            return true;
        }
        let shift = u32::from(width - self.prefix);
        (net >> shift) == (host >> shift)
    }
}

/// As go-sockaddr prints it (what Vault shows in `token_bound_cidrs` and a token's
/// `bound_cidrs`): a single address bare, a block as `address/prefix` with its host bits.
impl core::fmt::Display for Cidr {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.prefix == bits(self.addr).1 {
            write!(f, "{}", self.addr)
        } else {
            write!(f, "{}/{}", self.addr, self.prefix)
        }
    }
}

/// Vault's `RemoteAddrIsOk`: no blocks means any address; otherwise the address must be known
/// and inside one of them.
pub fn remote_addr_is_ok(remote: Option<IpAddr>, blocks: &[Cidr]) -> bool {
    if blocks.is_empty() {
        return true;
    }
    remote.is_some_and(|ip| blocks.iter().any(|b| b.contains(ip)))
}
