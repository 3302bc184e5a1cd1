//! `risky_link`: a link that works but looks like spam: URL shortener, raw IP
//! host, `http://`, punycode or mixed-script host, or a domain outside the
//! sender's allowed domains. Seed 003: links must use a registered domain
//! relevant to the business.

use serde_json::json;

use super::{evidence, Context};
use crate::links::{self, FoundKind, LinkInfo};
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
    // The sender's own domain, written in punycode or in its own letters, is no
    // lookalike of anything.
    let own = !info.is_ip && links::is_within(&info.host, &engine.allowed_domains);
    if !own
        && info.written_host.split('.').any(|label| {
            label
                .get(..4)
                .is_some_and(|p| p.eq_ignore_ascii_case("xn--"))
        })
    {
        reasons.push("punycode host");
    }
    if !own && info.written_host.split('.').any(is_mixed_script) {
        reasons.push("host mixes scripts (lookalike letters)");
    }
    if !engine.allowed_domains.is_empty() && !info.is_ip && !is_shortener && !own {
        reasons.push("domain is not one of the sender's allowed domains");
    }
    reasons
}

/// Whether the letters of one host label come from more than one of the scripts
/// whose letters look alike (Latin `a` with Cyrillic `а` or Greek `α`). Labels in
/// different scripts (`www.пример.рф`) and Latin with CJK are ordinary.
fn is_mixed_script(label: &str) -> bool {
    let mut seen: Option<u8> = None;
    for c in label.chars().filter(|c| c.is_alphabetic()) {
        let script = match c {
            'a'..='z' | 'A'..='Z' | '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' => 0,
            '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}' => 1,
            '\u{0400}'..='\u{052F}' => 2,
            _ => continue,
        };
        match seen {
            Some(s) if s != script => return true,
            _ => seen = Some(script),
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Engine, Message, Policy};

    fn reasons_for(allowed: &[&str], text: &str) -> Vec<String> {
        let mut policy = Policy::default();
        policy.sender.allowed_domains = allowed.iter().map(|d| (*d).to_owned()).collect();
        let engine = Engine::new(policy).unwrap();
        let report = engine.check(&Message::new(text)).unwrap();
        report
            .findings
            .iter()
            .filter(|f| f.rule == RuleId::RiskyLink)
            .flat_map(|f| f.evidence["reasons"].as_array().unwrap().clone())
            .map(|r| r.as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "builds the engine (thousands of phrases into a DFA): hours under Miri"
    )]
    fn lookalike_letters_inside_one_label_are_risky() {
        assert_eq!(
            reasons_for(&[], "Zahlung bestätigen: https://p\u{0430}ypal.com/login"),
            ["host mixes scripts (lookalike letters)"]
        );
        assert_eq!(
            reasons_for(&[], "Σύνδεση: https://\u{03B1}pple.com/id"),
            ["host mixes scripts (lookalike letters)"]
        );
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "builds the engine (thousands of phrases into a DFA): hours under Miri"
    )]
    fn labels_in_different_scripts_are_not_lookalikes() {
        assert!(reasons_for(&[], "Акция: https://www.пример.рф/акция").is_empty());
        assert!(reasons_for(&[], "店舗: https://shop.例子.中国/").is_empty());
        assert!(reasons_for(&[], "お知らせ: https://お名前.com/news").is_empty());
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "builds the engine (thousands of phrases into a DFA): hours under Miri"
    )]
    fn the_senders_own_punycode_domain_is_not_risky() {
        assert!(reasons_for(&["bäckerei.de"], "Bestellen: https://xn--bckerei-5wa.de/").is_empty());
        assert_eq!(
            reasons_for(
                &["bäckerei.de"],
                "Bestellen: https://xn--bckerei-mller-vlb.de/"
            ),
            [
                "punycode host",
                "domain is not one of the sender's allowed domains"
            ]
        );
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "builds the engine (thousands of phrases into a DFA): hours under Miri"
    )]
    fn ip_hosts_are_risky_v4_and_v6() {
        for text in [
            "Neue Preise: https://203.0.113.9/preise",
            "Neue Preise: https://[2001:db8::1]/preise",
        ] {
            assert_eq!(
                reasons_for(&["beauty-shop.de"], text),
                ["raw IP address instead of a domain"],
                "{text}"
            );
        }
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "builds the engine (thousands of phrases into a DFA): hours under Miri"
    )]
    fn allowed_domains_that_are_no_domain_names_are_refused() {
        for bad in [
            "xn--zz-.de",
            "beauty..de",
            "shop%.de",
            "https://beauty-shop.de",
        ] {
            let mut policy = Policy::default();
            policy.sender.allowed_domains = vec![bad.to_owned()];
            let err = Engine::new(policy).unwrap_err().to_string();
            assert!(
                err.contains("sender.allowed_domains") && err.contains(bad),
                "{bad}: {err}"
            );
        }
        let mut policy = Policy::default();
        policy.sender.allowed_domains =
            vec!["Bäckerei.de".to_owned(), "xn--mnchen-3ya.de".to_owned()];
        assert!(Engine::new(policy).is_ok());
    }
}
