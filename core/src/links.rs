//! Links and e-mail addresses in a message, found once and shared by the link,
//! PII and classification rules. Extraction is `linkify`'s, parsing `url`'s and
//! the top-level-domain check the public-suffix list's (`psl`); nothing here goes
//! to the network.

use linkify::{LinkFinder, LinkKind};
use url::{Host, Url};

/// A link or address found in the text.
#[derive(Debug, Clone)]
pub(crate) struct Found<'t> {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) text: &'t str,
    pub(crate) kind: FoundKind,
}

/// What was found.
#[derive(Debug, Clone)]
pub(crate) enum FoundKind {
    /// An e-mail address.
    Email,
    /// A link that cannot work, and why.
    Invalid(String),
    /// A link that parses.
    Url(Box<LinkInfo>),
}

/// The facts about a working link that the rules look at.
#[derive(Debug, Clone)]
pub(crate) struct LinkInfo {
    /// The host in ASCII (punycode for international names), lower case.
    pub(crate) host: String,
    /// The registrable domain (`example.co.uk`), `None` for IP hosts.
    pub(crate) domain: Option<String>,
    /// The host is an IP address.
    pub(crate) is_ip: bool,
    /// The link says `http://` (no TLS).
    pub(crate) is_http: bool,
    /// The host as written in the message (may hold non-ASCII letters).
    pub(crate) written_host: String,
    /// The path in lower case.
    pub(crate) path: String,
}

/// Finds every link and address in `text`.
pub(crate) fn find(text: &str) -> Vec<Found<'_>> {
    let mut found = Vec::new();
    if !text.contains(['.', '@', ':']) {
        return found;
    }
    let mut finder = LinkFinder::new();
    finder.url_must_have_scheme(false);
    for link in finder.links(text) {
        let kind = match link.kind() {
            LinkKind::Email => Some(FoundKind::Email),
            LinkKind::Url => inspect(link.as_str()),
            _ => None,
        };
        if let Some(kind) = kind {
            found.push(Found {
                start: link.start(),
                end: link.end(),
                text: link.as_str(),
                kind,
            });
        }
    }
    find_broken_schemes(text, &mut found);
    found.sort_by_key(|f| f.start);
    found
}

/// A URL `linkify` could not take as a link (`http://www..com`, `https://`) is
/// still a link the reader will try and fail to open.
fn find_broken_schemes<'t>(text: &'t str, found: &mut Vec<Found<'t>>) {
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(pos) = lower[from..].find("://") {
        let at = from + pos;
        from = at + 3;
        let start = if lower[..at].ends_with("https") {
            at - 5
        } else if lower[..at].ends_with("http") {
            at - 4
        } else {
            continue;
        };
        if found.iter().any(|f| f.start <= start && start < f.end) {
            continue;
        }
        let end = text[at..]
            .find(char::is_whitespace)
            .map_or(text.len(), |n| at + n);
        let written = &text[start..end];
        let reason = match inspect(written) {
            Some(FoundKind::Invalid(reason)) => reason,
            _ => "malformed URL".to_owned(),
        };
        found.push(Found {
            start,
            end,
            text: written,
            kind: FoundKind::Invalid(reason),
        });
    }
}

/// Decides whether a written URL works. `None` when a scheme-less candidate is
/// not a link at all (`file.txt`, `e.g.`).
fn inspect(written: &str) -> Option<FoundKind> {
    let has_scheme = written.contains("://");
    let parsed = if has_scheme {
        Url::parse(written)
    } else {
        Url::parse(&format!("http://{written}"))
    };
    let url = match parsed {
        Ok(url) => url,
        Err(err) if has_scheme => return Some(FoundKind::Invalid(format!("malformed URL: {err}"))),
        Err(_) => return None,
    };
    let written_host = written_host(written);
    let invalid = |reason: String| has_scheme.then_some(FoundKind::Invalid(reason));
    let (host, domain, is_ip) = match url.host() {
        None => return invalid("the link has no host".to_owned()),
        Some(Host::Ipv4(ip)) => (ip.to_string(), None, true),
        Some(Host::Ipv6(ip)) => (ip.to_string(), None, true),
        Some(Host::Domain(host)) => {
            let host = host.trim_end_matches('.').to_ascii_lowercase();
            if host.is_empty() || host.split('.').any(str::is_empty) {
                return invalid(format!("the host {written_host:?} has an empty label"));
            }
            if !host.contains('.') {
                return invalid(format!("the host {written_host:?} has no top-level domain"));
            }
            match psl::suffix(host.as_bytes()) {
                Some(suffix) if suffix.is_known() => {}
                _ => {
                    let tld = host.rsplit('.').next().unwrap_or_default();
                    return invalid(format!("the top-level domain .{tld} does not exist"));
                }
            }
            let domain = psl::domain_str(&host).map(str::to_owned);
            (host, domain, false)
        }
    };
    Some(FoundKind::Url(Box::new(LinkInfo {
        host,
        domain,
        is_ip,
        is_http: url.scheme() == "http" && has_scheme,
        written_host: written_host.to_owned(),
        path: url.path().to_ascii_lowercase(),
    })))
}

/// The host part of a URL as written: between the scheme (or start) and the first
/// `/`, `?`, `#` or `:`, without any `user@`.
fn written_host(written: &str) -> &str {
    let rest = written.split_once("://").map_or(written, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    authority.split(':').next().unwrap_or(authority)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<String> {
        find(text)
            .into_iter()
            .map(|f| match f.kind {
                FoundKind::Email => format!("email {}", f.text),
                FoundKind::Invalid(reason) => format!("invalid {}: {reason}", f.text),
                FoundKind::Url(info) => format!("url {}", info.host),
            })
            .collect()
    }

    #[test]
    fn finds_urls_and_emails() {
        assert_eq!(
            kinds("Shop: https://www.example.com/shop, mail info@example.com"),
            ["url www.example.com", "email info@example.com"]
        );
        assert_eq!(kinds("see example.de/angebot"), ["url example.de"]);
    }

    #[test]
    fn flags_links_that_cannot_work() {
        let found = kinds("go https://beauty.c0m/x now");
        assert!(
            found[0].starts_with("invalid") && found[0].contains(".c0m"),
            "{found:?}"
        );
        let found = kinds("go http://www..com now");
        assert!(found[0].starts_with("invalid"), "{found:?}");
        let found = kinds("go https:// now");
        assert!(found[0].starts_with("invalid"), "{found:?}");
    }

    #[test]
    fn ignores_schemeless_non_links() {
        assert!(kinds("open file.txt or version 2.0, e.g. now").is_empty());
    }
}
