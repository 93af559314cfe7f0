//! The edge login gate's rules, as HashiCorp Vault's JWT auth method applies them: roles and
//! the mount's configuration (`role`), the login's checks in Vault's order (`login`, with cap's
//! validator in `validator` and the plugin's claim readers in `claims`), Vault's parameter types
//! and Go's printing (`fields`), session tokens (`session`), Vault's request and response shapes
//! (`vault`) and CIDR blocks (`cidr`); the proxy's routing, upstream URL and headers (`proxy`)
//! and the login's CSRF check (`csrf`); Bank-Vaults' templates in AUTH_CONFIG (`templates`); roles and config as `vault read` prints them (`documents`);
//! keys pushed by `jwksgate publish` (`publish`); the identity assertion the origin verifies and
//! the headers beside it (`assertion`) and WebSocket upgrades (`websocket`); the token fields every
//! method's roles share (`tokens`) and Vault's Kubernetes method (`kubernetes`). Built with the
//! `gate` feature; uses the core only.

pub mod assertion;
pub mod cidr;
pub mod claims;
pub mod csrf;
pub mod documents;
pub mod fields;
pub mod kubernetes;
pub mod login;
pub mod mounts;
pub mod proxy;
pub mod publish;
pub mod role;
pub mod session;
pub mod store;
pub mod templates;
pub mod tokens;
pub mod validator;
pub mod vault;
pub mod websocket;
