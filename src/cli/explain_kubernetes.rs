//! `jwksgate explain` for a role of Vault's Kubernetes method (`gate::kubernetes`): every check
//! Vault makes before TokenReview, in `pathLogin`'s order and words. The command does not ask
//! the cluster: it says that TokenReview was not asked, and which review Vault would send.

use super::explain::{outcome_word, Args};
use super::out::{plain, Text};
use super::{quoted, time, Failure, Report};
use crate::gate::kubernetes::{explain_mount, Answer, KubeExplanation};
use serde_json::Value;

fn text(e: &KubeExplanation, now: f64) -> Text {
    let at = time::utc(now).unwrap_or_else(|| now.to_string());
    let mut out = Text::default();
    out.line(format!("Kubernetes role {} against the token at {at}:", quoted(&e.role)));
    out.blank();
    for c in &e.checks {
        out.line(format!("  {:<4}  {:<28} {}", outcome_word(c.outcome), c.id.name(), c.detail));
        if let Some(err) = &c.error {
            out.line(format!("        {:<28} Vault ({}): {}", "", c.status, err.message()));
        }
    }
    out.blank();
    match (&e.login, e.failure()) {
        (Some(l), _) => out.line(format!(
            "Vault would log this token in (local_verification, no TokenReview): alias {}, policies [{}], ttl {} s.",
            quoted(&l.login.alias),
            l.login.policies.iter().map(|p| plain(p)).collect::<Vec<_>>().join(", "),
            l.login.ttl
        )),
        (None, Some(c)) => {
            let words = c.error.as_ref().map(|e| e.message().to_owned()).unwrap_or_default();
            out.line(format!("Vault would refuse this login at check {}, answering {}: {words}", c.id.name(), c.status));
        }
        (None, None) => out.line(
            "Every check Vault makes before TokenReview passed. TokenReview was not asked: the API server decides \
             (a deleted pod or secret, or a recreated ServiceAccount, is refused there with 403 permission denied).",
        ),
    }
    out
}

/// The explanation when `role` is a Kubernetes role; `None` for a JWT role.
pub fn run(args: &Args, role: Value, config: Option<Value>, token: &str, now: f64) -> Result<Option<Report>, Failure> {
    let Some((mount, name)) = explain_mount(&role, args.name.as_deref(), config)? else { return Ok(None) };
    let e = mount.explain(&name, token, args.remote, now, Answer::NotAsked);
    let allowed = e.login.is_some();
    if args.json {
        let mut j = e.to_json();
        if let Some(m) = j.as_object_mut() {
            m.insert("at".into(), now.into());
        }
        return Ok(Some(Report::json(j, allowed)));
    }
    let out = text(&e, now);
    Ok(Some(if allowed { Report::yes(out) } else { Report::no(out) }))
}
