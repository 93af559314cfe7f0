//! The edge login gate's rules, as HashiCorp Vault's JWT auth method applies them: roles and
//! their checks (`role`), session tokens (`session`), Vault's request and response shapes
//! (`vault`) and CIDR blocks (`cidr`); the proxy's routing, upstream URL and headers (`proxy`)
//! and the login's CSRF check (`csrf`). Built with the `gate` feature; uses the core only.

pub mod cidr;
pub mod csrf;
pub mod proxy;
pub mod role;
pub mod session;
pub mod vault;
