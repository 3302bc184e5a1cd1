//! `risky_link`: a link that works but looks like spam: URL shortener, raw IP
//! host, `http://`, punycode or mixed-script host, or a domain outside the
//! sender's allowed domains. Seed 003: links must use a registered domain
//! relevant to the business.

use serde_json::json;

use super::{evidence, Context};
use crate::links::{FoundKind, LinkInfo};
use crate::report::{Finding, RuleId};

pub(crate) fn check(context: &Context<'_, '_>, findings: &mut Vec<Finding>) {
    for link in &context.links {
        let FoundKind::Url(info) = &link.kind else {
            continue;
        };
        let reasons = reasons(context, info);
        if reasons.is_empty() {
            continue;
        }
        findings.push(context.finding(
            RuleId::RiskyLink,
            Some((link.start, link.end)),
            format!("link {:?} looks risky: {}", link.text, reasons.join(", ")),
            evidence([
                ("url", json!(link.text)),
                ("host", json!(info.host)),
                ("reasons", json!(reasons)),
            ]),
            "Link with https:// to your own registered domain, written out in full; no shorteners or IP addresses."
                .to_owned(),
        ));
    }
}

fn reasons(context: &Context<'_, '_>, info: &LinkInfo) -> Vec<&'static str> {
    let engine = context.engine;
    let mut reasons = Vec::new();
    let is_shortener = engine.shorteners.contains(&info.host)
        || info
            .domain
            .as_ref()
            .is_some_and(|d| engine.shorteners.contains(d));
    if is_shortener {
        reasons.push("URL shortener hides the destination");
    }
    if info.is_ip {
        reasons.push("raw IP address instead of a domain");
    }
    if info.is_http {
        reasons.push("http:// without encryption");
    }
    if info
        .written_host
        .split('.')
        .any(|label| label.to_ascii_lowercase().starts_with("xn--"))
    {
        reasons.push("punycode host");
    }
    if is_mixed_script(&info.written_host) {
        reasons.push("host mixes scripts (lookalike letters)");
    }
    let allowed = &engine.allowed_domains;
    if !allowed.is_empty()
        && !info.is_ip
        && !is_shortener
        && !allowed.iter().any(|d| {
            info.host == *d
                || info
                    .host
                    .strip_suffix(d.as_str())
                    .is_some_and(|rest| rest.ends_with('.'))
        })
    {
        reasons.push("domain is not one of the sender's allowed domains");
    }
    reasons
}

/// Whether the letters of `host` come from more than one script (Latin with
/// Cyrillic `а`, for instance).
fn is_mixed_script(host: &str) -> bool {
    let mut seen: Option<u8> = None;
    for c in host.chars().filter(|c| c.is_alphabetic()) {
        let script = match c {
            'a'..='z' | 'A'..='Z' | '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' => 0,
            '\u{0370}'..='\u{03FF}' => 1,
            '\u{0400}'..='\u{052F}' => 2,
            _ => 3,
        };
        match seen {
            Some(s) if s != script => return true,
            _ => seen = Some(script),
        }
    }
    false
}
