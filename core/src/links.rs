//! Links and e-mail addresses in a message, found once and shared by the link,
//! mention, PII and classification rules. Extraction is `linkify`'s (plus a scan
//! for `http(s)://` and `www.` links it does not take: international top-level
//! domains, IPv6 hosts, broken addresses), parsing `url`'s (WHATWG), domain names
//! are compared in their ASCII (punycode) form by `idna`, and the top-level-domain
//! check is the public-suffix list's (`psl`); nothing here goes to the network.
//!
//! Every step is linear in the text: each scan resumes after the link it found.

use std::borrow::Cow;
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
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
    /// A web link (`http`, `https`, `ftp` or none written) that parses.
    /// (Shared: the per-thread memo hands out the same verdict for every repeat.)
    Url(std::sync::Arc<LinkInfo>),
    /// A link with another scheme (`tg://resolve?domain=shop`, `whatsapp://send`):
    /// it opens an app, and its "host" is no domain name, so the domain checks
    /// do not apply.
    AppLink,
}

/// The facts about a working link that the rules look at.
#[derive(Debug, Clone)]
pub(crate) struct LinkInfo {
    /// The host in ASCII (punycode for international names), lower case.
    pub(crate) host: String,
    /// The registrable domain (`example.co.uk`), `None` for IP hosts.
    pub(crate) domain: Option<String>,
    /// The host is an IP address (v4 or v6).
    pub(crate) is_ip: bool,
    /// The link says `http://` (no TLS).
    pub(crate) is_http: bool,
    /// The host as written in the message (may hold non-ASCII letters).
    pub(crate) written_host: String,
    /// The path in lower case.
    pub(crate) path: String,
}

/// How a candidate link is written; decides how sure it is that the writer meant a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    /// `scheme://…`: a link, working or not.
    Scheme,
    /// `www.…` without a scheme: a link, working or not (chat apps link it).
    Www,
    /// `example.de`, `shop.example.de/sale`: a link only if it looks like one
    /// (see [`bare_is_link`]); never reported as invalid, since `file.txt` or
    /// `z.B.` were never meant as links.
    Bare,
}

/// The two patterns that start a link `linkify` may not take.
const SCHEME_SEPARATOR: usize = 0;
static TRIGGERS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(["://", "www."])
        .expect("two fixed literal patterns always compile")
});

/// Top-level domains that make a bare host a link (`lexicons/links/bare_tlds.txt`).
static BARE_TLDS: LazyLock<crate::FastSet<&'static str>> =
    LazyLock::new(|| crate::lexicon::builtin_lines("links/bare_tlds.txt").collect());

/// A span `linkify` found.
struct Linked {
    start: usize,
    end: usize,
    email: bool,
}

/// Finds every link and address in `text`, in text order, without overlaps.
pub(crate) fn find(text: &str) -> Vec<Found<'_>> {
    if !may_hold_links(text.as_bytes()) {
        return Vec::new();
    }
    find_all(text)
}

/// [`find`], with the pre-filter's answer when it is known already
/// ([`crate::text::Folded::signs`]).
pub(crate) fn find_hinted(text: &str, may_hold: Option<bool>) -> Vec<Found<'_>> {
    match may_hold {
        Some(false) => Vec::new(),
        Some(true) => find_all(text),
        None => find(text),
    }
}

/// [`find`] without the pre-filter.
fn find_all(text: &str) -> Vec<Found<'_>> {
    let mut found = Vec::new();
    let mut finder = LinkFinder::new();
    finder.url_must_have_scheme(false);
    let linked: Vec<Linked> = finder
        .links(text)
        .filter_map(|link| {
            let email = match link.kind() {
                LinkKind::Email => true,
                LinkKind::Url => false,
                _ => return None,
            };
            Some(Linked {
                start: link.start(),
                end: link.end(),
                email,
            })
        })
        .collect();
    let extra = unlinked(text, &linked);
    // Merge the two sorted lists; a `linkify` span that starts inside an extra
    // link (`example.com` in `https://пример.рф/?from=example.com`) is part of it.
    let mut extra = extra.into_iter().peekable();
    for link in &linked {
        while let Some(&(start, end, origin)) = extra.peek() {
            if start > link.start {
                break;
            }
            push(&mut found, text, start, end, origin);
            extra.next();
        }
        if found.last().is_some_and(|f| link.start < f.end) {
            continue;
        }
        let start = if link.email {
            link.start
        } else {
            link.start + glued_before_scheme(&text[link.start..link.end])
        };
        let written = &text[start..link.end];
        let kind = if link.email {
            Some(FoundKind::Email)
        } else {
            inspect(written, origin_of(written))
        };
        if let Some(kind) = kind {
            found.push(Found {
                start,
                end: link.end,
                text: written,
                kind,
            });
        }
    }
    for (start, end, origin) in extra {
        push(&mut found, text, start, end, origin);
    }
    found
}

/// Whether `text` has what every link or address needs: an `@`, a `://`, or a
/// dot between two label characters (`example.de`, `www.x`, `1.2`, `пример.рф`).
/// Most messages end their sentences with `. `, `...` or nothing, so this one pass
/// over the bytes spares them the link finder.
///
/// Without a scheme or `@`, `linkify` only accepts a host whose last dot has a
/// letter, digit or non-ASCII character on both sides (an empty label or one
/// ending in `-`, `_` or `~` is no host), and `www.` has a `w` before its dot.
pub(crate) fn may_hold_links(bytes: &[u8]) -> bool {
    memchr::memchr3_iter(b'@', b'.', b':', bytes).any(|i| signals_link(bytes, i))
}

/// [`may_hold_links`]' test at byte `i` (any byte; only `@`, `.` and `:` can
/// signal a link). The ASCII fold runs it on the separators it passes, so most
/// checks need no scan of their own ([`find_hinted`]).
pub(crate) fn signals_link(bytes: &[u8], i: usize) -> bool {
    match bytes[i] {
        b'@' => true,
        b'.' => {
            i > 0
                && is_label_byte(bytes[i - 1])
                && bytes.get(i + 1).is_some_and(|&next| is_host_start(next))
        }
        b':' => bytes[i + 1..].starts_with(b"//"),
        _ => false,
    }
}

/// A byte of a letter, digit or non-ASCII character (which `linkify` counts as a
/// letter in a host).
fn is_label_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte >= 0x80
}

fn push<'t>(found: &mut Vec<Found<'t>>, text: &'t str, start: usize, end: usize, origin: Origin) {
    let written = &text[start..end];
    if let Some(kind) = inspect(written, origin) {
        found.push(Found {
            start,
            end,
            text: written,
            kind,
        });
    }
}

/// `http(s)://` and `www.` links `linkify` did not take, as (start, end, origin):
/// international top-level domains (`https://пример.рф`), IPv6 hosts, unknown
/// top-level domains (`www.x.c0m`) and broken addresses (`http://www..com`,
/// `https://`) are still links the reader will try to open.
fn unlinked(text: &str, linked: &[Linked]) -> Vec<(usize, usize, Origin)> {
    let bytes = text.as_bytes();
    let mut extra = Vec::new();
    // End of the last extra link: triggers inside it are part of it.
    let mut covered = 0;
    let mut next_linked = 0;
    for m in TRIGGERS.find_iter(text) {
        let (start, origin) = if m.pattern().as_usize() == SCHEME_SEPARATOR {
            let before = &bytes[..m.start()];
            let scheme = if ends_with_ignore_case(before, b"https") {
                5
            } else if ends_with_ignore_case(before, b"http") {
                4
            } else {
                continue;
            };
            (m.start() - scheme, Origin::Scheme)
        } else {
            // "www." starts a link only at a word boundary and followed by a host.
            let glued = text[..m.start()]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || "._-@/:%+~#=&?".contains(c));
            if glued || !bytes.get(m.end()).is_some_and(|&b| is_host_start(b)) {
                continue;
            }
            (m.start(), Origin::Www)
        };
        if start < covered {
            continue;
        }
        while linked.get(next_linked).is_some_and(|l| l.end <= start) {
            next_linked += 1;
        }
        if linked.get(next_linked).is_some_and(|l| l.start <= start) {
            continue;
        }
        let end = link_end(text, start, m.end());
        covered = end;
        extra.push((start, end, origin));
    }
    extra
}

fn ends_with_ignore_case(bytes: &[u8], suffix: &[u8]) -> bool {
    bytes.len() >= suffix.len() && bytes[bytes.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// A byte that can start a host name (a letter, digit, `[` of an IPv6 host or
/// the first byte of a non-ASCII letter).
fn is_host_start(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'[' || byte >= 0x80
}

/// Where a link that starts at `start` and continues at `from` ends: at white
/// space or a character no link holds (`<`, `>`, `"`, CJK punctuation such as
/// `。` or `，`), without the punctuation that ends the sentence or an
/// unbalanced closing bracket, as `linkify` does.
fn link_end(text: &str, start: usize, from: usize) -> usize {
    let mut end = text[from..]
        .find(|c: char| {
            c.is_whitespace()
                || c.is_control()
                || matches!(c, '<' | '>' | '"' | '`')
                || matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF01}'..='\u{FF0F}')
                || matches!(c, '\u{FF1A}'..='\u{FF20}' | '\u{FF3B}'..='\u{FF40}')
                || matches!(c, '\u{FF5B}'..='\u{FF65}')
        })
        .map_or(text.len(), |n| from + n);
    let link = &text[start..end];
    let count = |c: char| link.matches(c).count();
    let mut unbalanced = [
        (')', count(')').saturating_sub(count('('))),
        (']', count(']').saturating_sub(count('['))),
        ('}', count('}').saturating_sub(count('{'))),
    ];
    while end > from {
        let Some(last) = text[..end].chars().next_back() else {
            break;
        };
        if matches!(last, '.' | ',' | ':' | ';' | '!' | '?' | '\'' | '*') {
            end -= 1;
            continue;
        }
        match unbalanced.iter_mut().find(|(c, n)| *c == last && *n > 0) {
            Some((_, n)) => {
                *n -= 1;
                end -= 1;
            }
            None => break,
        }
    }
    end
}

/// The length of a word glued to a web scheme (`experience` in
/// `experiencehttp://example.com`, which `linkify` takes as one scheme): the
/// link starts at `http`.
fn glued_before_scheme(written: &str) -> usize {
    let Some(at) = scheme_separator(written) else {
        return 0;
    };
    let scheme = &written.as_bytes()[..at];
    for web in [&b"https"[..], b"http"] {
        if scheme.len() > web.len() && ends_with_ignore_case(scheme, web) {
            return scheme.len() - web.len();
        }
    }
    0
}

/// How a link `linkify` found is written.
fn origin_of(written: &str) -> Origin {
    let has_scheme = scheme_separator(written).is_some_and(|at| {
        let scheme = &written[..at];
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    });
    if has_scheme {
        Origin::Scheme
    } else if written
        .get(..4)
        .is_some_and(|s| s.eq_ignore_ascii_case("www."))
    {
        Origin::Www
    } else {
        Origin::Bare
    }
}

/// Decides whether a written link works. `None` when a bare candidate is not a
/// link at all (`file.txt`, `0170.123.45.67`, `Nice.how`).
fn inspect(written: &str, origin: Origin) -> Option<FoundKind> {
    use std::cell::RefCell;

    use crate::FastMap;
    /// Links remembered per thread before the memo starts over.
    const CAPACITY: usize = 1024;
    /// Verdicts by origin, then by the link as written (looked up by `&str`, so a
    /// repeat allocates only the clone of its verdict).
    #[derive(Default)]
    struct Memo {
        by_origin: [FastMap<String, Option<FoundKind>>; 3],
        len: usize,
    }
    thread_local! {
        static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
    }
    // The verdict depends on nothing but the link and how it is written (the
    // public-suffix list and the TLD lexicon are compiled in), and campaigns
    // repeat their links: parsing the URL and walking the suffix list is most
    // of what link inspection costs.
    let slot = origin as usize;
    let known = MEMO
        .try_with(|memo| memo.borrow().by_origin[slot].get(written).cloned())
        .ok()
        .flatten();
    if let Some(known) = known {
        return known;
    }
    let verdict = inspect_uncached(written, origin);
    // Fails only while the thread is being torn down; the verdict is then not kept.
    let _ = MEMO.try_with(|memo| {
        let mut memo = memo.borrow_mut();
        if memo.len >= CAPACITY {
            memo.by_origin.iter_mut().for_each(FastMap::clear);
            memo.len = 0;
        }
        // Sized for a campaign's links: growing from empty rehashed on the
        // first links a thread sees.
        let links = &mut memo.by_origin[slot];
        if links.capacity() == 0 {
            links.reserve(128);
        }
        links.insert(written.to_owned(), verdict.clone());
        memo.len += 1;
    });
    verdict
}

/// [`inspect`] without the memo.
fn inspect_uncached(written: &str, origin: Origin) -> Option<FoundKind> {
    // Words glued at a full stop (`dinner.msg`, `now.Call`) are most of the
    // bare candidates of chat text, and their form alone settles them: a bare
    // candidate without a path, port or query whose top-level domain is not a
    // common one is no link, whatever the suffix list says, and every other
    // verdict on a bare candidate is `None` too. This spares them the parse
    // and the suffix-list walk (the code a fresh thread runs most).
    if origin == Origin::Bare && !bare_is_link(written, written_host(written)) {
        return None;
    }
    inspect_fully(written, origin)
}

/// [`inspect_uncached`] without its shortcut for bare words.
fn inspect_fully(written: &str, origin: Origin) -> Option<FoundKind> {
    let sure = origin != Origin::Bare;
    // Only links written as links are reported; a bare candidate's reason is
    // never written.
    let invalid = |reason: &dyn Fn() -> String| sure.then(|| FoundKind::Invalid(reason()));
    let url = match plain_url(written, origin) {
        Some(url) => url,
        None => {
            let parsed = match origin {
                Origin::Scheme => Url::parse(written),
                Origin::Www | Origin::Bare => Url::parse(&format!("http://{written}")),
            };
            let url = match parsed {
                Ok(url) => url,
                Err(err) => return invalid(&|| format!("malformed URL: {err}")),
            };
            if !matches!(url.scheme(), "http" | "https" | "ftp") {
                return Some(FoundKind::AppLink);
            }
            UrlParts {
                is_http: url.scheme() == "http",
                host: url.host().map(|host| host.to_owned()),
                path: url.path().to_ascii_lowercase(),
            }
        }
    };
    let written_host = written_host(written);
    let (host, domain, is_ip) = match &url.host {
        None => return invalid(&|| "the link has no host".to_owned()),
        // A bare number such as `0170.123.45.67` or `1.2.3.4` is a phone or
        // version number, not a link.
        Some(Host::Ipv4(_) | Host::Ipv6(_)) if origin == Origin::Bare => return None,
        Some(Host::Ipv4(ip)) => (ip.to_string(), None, true),
        Some(Host::Ipv6(ip)) => (ip.to_string(), None, true),
        Some(Host::Domain(host)) => {
            // WHATWG parsing already lower-cased it and turned it into punycode.
            let host = host.strip_suffix('.').unwrap_or(host);
            let bytes = host.as_bytes();
            if host.is_empty()
                || bytes[0] == b'.'
                || bytes[bytes.len() - 1] == b'.'
                || bytes.windows(2).any(|pair| pair == b"..")
            {
                return invalid(&|| format!("the host {written_host:?} has an empty label"));
            }
            if !bytes.contains(&b'.') {
                return invalid(&|| format!("the host {written_host:?} has no top-level domain"));
            }
            // One walk of the suffix list: the registrable domain carries its
            // suffix (a host that is a suffix alone has no domain).
            let domain = psl::domain(bytes);
            let known = match &domain {
                Some(domain) => domain.suffix().is_known(),
                None => psl::suffix(bytes).is_some_and(|suffix| suffix.is_known()),
            };
            if !known {
                return invalid(&|| {
                    let tld = written_host.trim_end_matches('.').rsplit('.').next();
                    format!(
                        "the top-level domain .{} does not exist (not in the public-suffix list)",
                        tld.unwrap_or_default()
                    )
                });
            }
            if origin == Origin::Bare && !bare_is_link(written, written_host) {
                return None;
            }
            let domain = domain
                .and_then(|domain| std::str::from_utf8(domain.trim().as_bytes()).ok())
                .map(str::to_owned);
            (host.to_owned(), domain, false)
        }
    };
    Some(FoundKind::Url(std::sync::Arc::new(LinkInfo {
        host,
        domain,
        is_ip,
        is_http: origin == Origin::Scheme && url.is_http,
        written_host: written_host.to_owned(),
        path: url.path,
    })))
}

/// What inspection reads of a parsed link.
#[derive(Debug, PartialEq, Eq)]
struct UrlParts {
    /// The scheme is `http` (else `https` or `ftp`).
    is_http: bool,
    host: Option<Host<String>>,
    /// In lower case.
    path: String,
}

/// The parts of a plain link (ASCII `http(s)://` or scheme-less, a host of
/// letters, digits, dots and hyphens, a path of characters WHATWG parsing keeps
/// as they are) without `Url::parse`, which costs half of a link's first
/// inspection. `None` for anything else, which `Url::parse` reads; a unit test
/// compares the two.
fn plain_url(written: &str, origin: Origin) -> Option<UrlParts> {
    let (is_http, rest) = match origin {
        Origin::Www | Origin::Bare => (true, written),
        Origin::Scheme => {
            let at = scheme_separator(written)?;
            let (scheme, rest) = (&written[..at], &written[at + 3..]);
            if scheme.eq_ignore_ascii_case("http") {
                (true, rest)
            } else if scheme.eq_ignore_ascii_case("https") {
                (false, rest)
            } else {
                return None;
            }
        }
    };
    // Byte scans: every byte looked for is ASCII, so each cut is on a character
    // boundary.
    let host_end = position(rest, |b| matches!(b, b'/' | b'?' | b'#')).unwrap_or(rest.len());
    let (host, tail) = rest.split_at(host_end);
    let path_end = position(tail, |b| matches!(b, b'?' | b'#')).unwrap_or(tail.len());
    let (path, after) = tail.split_at(path_end);
    let labels = host.strip_suffix('.').unwrap_or(host);
    let plain_path = is_plain_path(path.as_bytes());
    // The query and fragment are not read, but must not hold what WHATWG
    // rejects or rewrites in a way that matters: ASCII graphic characters only.
    let plain_after = after.bytes().all(|b| b.is_ascii_graphic() && b != b'\\');
    (is_plain_host(labels.as_bytes()) && plain_path && plain_after).then(|| UrlParts {
        is_http,
        host: Some(Host::Domain(host.to_ascii_lowercase())),
        path: if path.is_empty() {
            "/".to_owned()
        } else {
            path.to_ascii_lowercase()
        },
    })
}

/// A host of non-empty labels of letters, digits and hyphens (`labels`: without
/// its one final dot), whose last label does not start with a digit (WHATWG
/// would read an IPv4 address) and none of which is punycode (IDNA would check
/// it). One pass over the bytes.
fn is_plain_host(labels: &[u8]) -> bool {
    let mut label_start = 0;
    for (at, &byte) in labels.iter().enumerate() {
        if byte == b'.' {
            if !is_plain_label(&labels[label_start..at]) {
                return false;
            }
            label_start = at + 1;
        } else if !(byte.is_ascii_alphanumeric() || byte == b'-') {
            return false;
        }
    }
    let last = &labels[label_start..];
    is_plain_label(last) && !last[0].is_ascii_digit()
}

/// A label of a plain host (its bytes checked already): not empty, not punycode.
fn is_plain_label(label: &[u8]) -> bool {
    !label.is_empty()
        && !label
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"xn--"))
}

/// A path WHATWG keeps byte for byte: no percent sign or backslash, nothing it
/// percent-encodes, no `.` or `..` segment it resolves. One pass over the bytes.
fn is_plain_path(path: &[u8]) -> bool {
    let mut segment_start = 0;
    for (at, &byte) in path.iter().enumerate() {
        if byte == b'/' {
            if matches!(&path[segment_start..at], b"." | b"..") {
                return false;
            }
            segment_start = at + 1;
        } else if !(byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&byte)) {
            return false;
        }
    }
    !matches!(&path[segment_start..], b"." | b"..")
}

/// Whether a host written without scheme or `www.` (its top-level domain is
/// known) was meant as a link: it has a path, port or query
/// (`shop.example.at/sale`), or its top-level domain is a common one
/// (`lexicons/links/bare_tlds.txt`) written in lower or upper case. A Title-case
/// TLD is a sentence glued to the previous one (`Gracias.De nada`, `now.Call`).
fn bare_is_link(written: &str, written_host: &str) -> bool {
    if written.len() > written_host.len() {
        return true;
    }
    let tld = written_host.rsplit('.').next().unwrap_or_default();
    let title_case = tld.starts_with(|c: char| c.is_ascii_uppercase())
        && tld.chars().any(|c| c.is_ascii_lowercase());
    // Lower-cased on the stack: a top-level domain has at most 63 bytes.
    let mut lower = [0u8; 63];
    let Some(lower) = lower.get_mut(..tld.len()) else {
        return false;
    };
    lower.copy_from_slice(tld.as_bytes());
    lower.make_ascii_lowercase();
    !title_case && std::str::from_utf8(lower).is_ok_and(|tld| BARE_TLDS.contains(tld))
}

/// The host part of a URL as written: between the scheme (or start) and the first
/// `/`, `?`, `#` or port `:`, without any `user@`; an IPv6 host keeps its brackets.
fn written_host(written: &str) -> &str {
    // Byte scans: every byte looked for is ASCII, so each cut is on a character
    // boundary.
    let rest = scheme_separator(written).map_or(written, |at| &written[at + 3..]);
    let authority =
        &rest[..position(rest, |b| matches!(b, b'/' | b'?' | b'#')).unwrap_or(rest.len())];
    let authority =
        memchr::memrchr(b'@', authority.as_bytes()).map_or(authority, |at| &authority[at + 1..]);
    if authority.starts_with('[') {
        return position(authority, |b| b == b']').map_or(authority, |end| &authority[..=end]);
    }
    &authority[..position(authority, |b| b == b':').unwrap_or(authority.len())]
}

/// Where `://` starts in `text`, if it holds one (`str::find("://")` without
/// building a substring searcher per call).
fn scheme_separator(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b':', bytes).find(|&at| bytes[at + 1..].starts_with(b"//"))
}

/// The first byte of `text` for which `is` holds.
fn position(text: &str, is: impl Fn(u8) -> bool) -> Option<usize> {
    text.bytes().position(is)
}

/// `domain` in the ASCII form the `url` crate gives link hosts: lower case,
/// punycode for international labels (`bäckerei.de` → `xn--bckerei-5wa.de`),
/// without a final dot. `None` when it is no valid domain name.
pub(crate) fn ascii_domain(domain: &str) -> Option<Cow<'_, str>> {
    let domain = domain.trim();
    let domain = domain.strip_suffix('.').unwrap_or(domain);
    idna::domain_to_ascii_cow(domain.as_bytes(), idna::AsciiDenyList::URL)
        .ok()
        .filter(|ascii| !ascii.split('.').any(str::is_empty))
}

/// Whether `host` (as written or in ASCII) is one of `domains` or a subdomain of
/// one (`shop.bäckerei.de` in `bäckerei.de`). `domains` must be in the form
/// [`ascii_domain`] gives; the one comparison behind the sender's allowed domains
/// for links (`risky_link`) and e-mail addresses (`pii_exposure`).
pub(crate) fn is_within(host: &str, domains: &[String]) -> bool {
    if domains.is_empty() {
        return false;
    }
    let Some(host) = ascii_domain(host) else {
        return false;
    };
    domains.iter().any(|domain| {
        host.strip_suffix(domain.as_str())
            .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
    })
}

/// An e-mail address as the sender lists it or a message writes it, in one form
/// for comparison: the local part in lower case, the domain in ASCII
/// (`Info@Bäckerei.de` → `info@xn--bckerei-5wa.de`).
pub(crate) fn email_key(address: &str) -> String {
    let address = address.trim();
    match address.rsplit_once('@') {
        Some((local, domain)) => {
            let domain = ascii_domain(domain).unwrap_or_else(|| domain.to_lowercase().into());
            format!("{}@{domain}", local.to_lowercase())
        }
        None => address.to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Link-like text: an optional scheme, host labels, a path, a query.
    fn link_like() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        (
            prop_oneof![
                Just(""),
                Just("http://"),
                Just("https://"),
                Just("HTTPS://"),
                Just("ftp://"),
                Just("www."),
                Just("http:/"),
            ],
            prop::collection::vec("[a-zA-Z0-9-]{0,6}|xn--[a-z]{2}|[0-9]{1,3}|_", 1..5),
            prop_oneof![Just(""), Just("."), Just(":8080"), Just("@x")],
            prop::collection::vec(
                "[a-zA-Z0-9._~!$&'()*+,;=:@%-]{0,6}|\\.|\\.\\.|[\\\\\"<>` ]",
                0..4,
            ),
            prop_oneof![Just(String::new()), "[?#][a-zA-Z0-9=&%/.\\\\\"]{0,8}"],
        )
            .prop_map(|(scheme, labels, after_host, segments, query)| {
                let path: String = segments.iter().map(|s| format!("/{s}")).collect();
                format!("{scheme}{}{after_host}{path}{query}", labels.join("."))
            })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        #[test]
        #[cfg_attr(miri, ignore = "3,000 proptest cases: hours under Miri")]
        fn plain_links_are_read_as_url_parse_reads_them(written in link_like()) {
            let origin = origin_of(&written);
            if let Some(parts) = plain_url(&written, origin) {
                let url = match origin {
                    Origin::Scheme => Url::parse(&written),
                    Origin::Www | Origin::Bare => Url::parse(&format!("http://{written}")),
                };
                let url = url.map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{written}: {e}")))?;
                let expected = UrlParts {
                    is_http: url.scheme() == "http",
                    host: url.host().map(|host| host.to_owned()),
                    path: url.path().to_ascii_lowercase(),
                };
                proptest::prop_assert!(matches!(url.scheme(), "http" | "https"), "{}", written);
                proptest::prop_assert_eq!(parts, expected, "{}", written);
            }
        }
    }

    #[test]
    fn plain_links_take_the_fast_path() {
        for (written, plain) in [
            ("www.example.com", true),
            ("https://Shop.Example.co.uk/Sale?x=1", true),
            ("example.de/a-b", true),
            ("http://10.0.0.1/", false),
            ("https://xn--bckerei-5wa.de", false),
            ("http://a.de/./b", false),
            ("https://a.de:8443/", false),
            ("http://user@a.de", false),
            ("https://bäckerei.de", false),
        ] {
            let parts = plain_url(written, origin_of(written));
            assert_eq!(parts.is_some(), plain, "{written}");
        }
    }

    #[test]
    fn pre_filter_skips_dotted_prose_and_keeps_every_link() {
        // Ellipses and dots after punctuation hold no link: the finder is skipped.
        for text in [
            "wat...Got it",
            "Ok lar...Joking wif u oni...",
            "(see below).Then",
            "ok!.Bye",
        ] {
            assert!(!may_hold_links(text.as_bytes()), "{text:?}");
        }
        // The pre-filter never hides a link: on the SMS corpus and on tricky hosts
        // it finds exactly what the finder alone finds.
        let corpus = include_str!("../../data/sms_spam_collection.tsv");
        // Miri interprets every step: it checks the first 100 messages (minutes), the
        // normal run all 5,574.
        let messages = if cfg!(miri) { 100 } else { usize::MAX };
        let tricky = [
            "a.b",
            "x-y.de/z",
            "пример.рф",
            "1.2.3.4",
            "user@host.de",
            "[::1]",
            "a..com",
            "_.com",
            "-a.com",
            "a-.com",
            "www.x",
            "http://[::1]/",
            "…example.com",
            "ы.com",
        ];
        for text in corpus
            .lines()
            .filter_map(|l| l.split_once('\t').map(|p| p.1))
            .take(messages)
            .chain(tricky)
        {
            let all: Vec<_> = find_all(text).iter().map(|f| (f.start, f.end)).collect();
            let filtered: Vec<_> = find(text).iter().map(|f| (f.start, f.end)).collect();
            assert_eq!(filtered, all, "{text:?}");
        }
    }

    #[test]
    #[cfg_attr(miri, ignore = "parses thousands of URLs: minutes under Miri")]
    fn bare_candidates_answered_by_form_read_as_fully_inspected_ones() {
        // Every dotted word of the SMS corpus and forms around the shortcut's
        // edges (a path, port or query; common top-level domains in each case;
        // unknown, numeric and international ones), as bare candidates.
        let corpus = include_str!("../../data/sms_spam_collection.tsv");
        let mut candidates: Vec<&str> = corpus
            .split(|c: char| c.is_whitespace())
            .filter(|word| word.contains('.'))
            .collect();
        candidates.extend([
            "shop.example.at/sale",
            "example.de:8080",
            "example.de?x=1",
            "example.de#top",
            "EXAMPLE.COM",
            "Example.Com",
            "example.COM",
            "Gracias.De",
            "now.Call",
            "shop.example.c0m",
            "1.2.3.4",
            "0170.123.45.67",
            "пример.рф",
            "bäckerei.de",
            "a..com",
            "user@host.de",
            "xn--bckerei-5wa.de",
        ]);
        let mut early = 0;
        for written in candidates {
            assert_eq!(
                format!("{:?}", inspect_uncached(written, Origin::Bare)),
                format!("{:?}", inspect_fully(written, Origin::Bare)),
                "{written}"
            );
            early += usize::from(!bare_is_link(written, written_host(written)));
        }
        // The shortcut is taken, and on most of them.
        assert!(early > 1000, "{early}");
    }

    #[test]
    #[cfg_attr(miri, ignore = "parses thousands of URLs: minutes under Miri")]
    fn remembered_verdicts_equal_fresh_ones() {
        // The same written link under each origin, repeated, and more distinct
        // links than the memo keeps (so it starts over at least once): every
        // remembered verdict reads exactly as a fresh one.
        let mut links: Vec<String> = [
            "example.com",
            "www.example.com/sale",
            "http://example.com",
            "shop.example.c0m",
            "Gracias.De",
            "пример.рф",
            "http://[::1]/",
            "1.2.3.4",
            "a..com",
            "tg://resolve?domain=shop",
        ]
        .map(str::to_owned)
        .to_vec();
        links.extend((0..1500).map(|i| format!("shop{i}.example.de/p/{i}")));
        for _ in 0..2 {
            for written in &links {
                for origin in [Origin::Scheme, Origin::Www, Origin::Bare] {
                    assert_eq!(
                        format!("{:?}", inspect(written, origin)),
                        format!("{:?}", inspect_uncached(written, origin)),
                        "{written} {origin:?}"
                    );
                }
            }
        }
    }

    fn kinds(text: &str) -> Vec<String> {
        find(text)
            .into_iter()
            .map(|f| match f.kind {
                FoundKind::Email => format!("email {}", f.text),
                FoundKind::Invalid(reason) => format!("invalid {}: {reason}", f.text),
                FoundKind::Url(info) => format!("url {}", info.host),
                FoundKind::AppLink => format!("app {}", f.text),
            })
            .collect()
    }

    fn url(text: &str) -> LinkInfo {
        let found = find(text);
        assert_eq!(found.len(), 1, "{text:?}: {:?}", kinds(text));
        match &found[0].kind {
            FoundKind::Url(info) => (**info).clone(),
            other => panic!("{text:?}: {other:?}"),
        }
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
        assert!(found[0].contains("empty label"), "{found:?}");
        let found = kinds("go https:// now");
        assert!(found[0].starts_with("invalid"), "{found:?}");
    }

    #[test]
    fn international_domain_names_are_working_links() {
        let cases = [
            (
                "Unser Laden in China: https://例子.中国/ – kommt vorbei!",
                "https://例子.中国/",
                "xn--fsqu00a.xn--fiqs8s",
            ),
            (
                "Заходите на https://пример.рф, там все новинки.",
                "https://пример.рф",
                "xn--e1afmkfd.xn--p1ai",
            ),
            (
                "Nuevo catálogo: https://www.pingüino.es/catalogo.",
                "https://www.pingüino.es/catalogo",
                "www.xn--pingino-q2a.es",
            ),
            (
                "새 소식은 https://한국.한국/소식 에서 확인하세요",
                "https://한국.한국/소식",
                "xn--3e0b707e.xn--3e0b707e",
            ),
        ];
        for (text, link, host) in cases {
            let found = find(text);
            assert_eq!(found.len(), 1, "{text:?}: {:?}", kinds(text));
            assert_eq!(found[0].text, link, "{text:?}");
            match &found[0].kind {
                FoundKind::Url(info) => {
                    assert_eq!(info.host, host);
                    assert!(!info.is_ip && info.domain.is_some(), "{info:?}");
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn ip_hosts_are_links_not_malformed() {
        for (text, host) in [
            ("Testseite: http://[::1]/ bitte nicht teilen", "::1"),
            (
                "Neues Portal: https://[2001:db8::7]:8443/login.",
                "2001:db8::7",
            ),
            ("Flyer online: http://192.168.1.20/promo", "192.168.1.20"),
        ] {
            let info = url(text);
            assert!(info.is_ip, "{text:?}: {info:?}");
            assert_eq!(info.host, host);
            assert_eq!(info.domain, None);
        }
    }

    #[test]
    fn international_link_ends_at_cjk_punctuation_and_closing_bracket() {
        assert_eq!(
            find("请访问https://例子.中国/活动。谢谢")[0].text,
            "https://例子.中国/活动"
        );
        assert_eq!(
            find("(mehr unter https://пример.рф/акция)")[0].text,
            "https://пример.рф/акция"
        );
        assert_eq!(
            find("Siehe https://例子.中国/a_(b).")[0].text,
            "https://例子.中国/a_(b)"
        );
    }

    #[test]
    fn an_address_inside_an_international_link_is_part_of_it() {
        assert_eq!(
            kinds("Jetzt: https://пример.рф/go?from=example.com&x=1 ok"),
            ["url xn--e1afmkfd.xn--p1ai"]
        );
    }

    #[test]
    fn app_links_are_links_without_domain_checks() {
        assert_eq!(
            kinds("Schreib uns auf Telegram: tg://resolve?domain=baeckerei_mueller"),
            ["app tg://resolve?domain=baeckerei_mueller"]
        );
    }

    #[test]
    fn a_word_glued_to_the_scheme_is_not_part_of_the_link() {
        let found =
            find("Treat yourself to a dining experiencehttp://www.vouch4me.com/etlp/dining.asp");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].text, "http://www.vouch4me.com/etlp/dining.asp");
        assert!(matches!(&found[0].kind, FoundKind::Url(info) if info.is_http));
    }

    #[test]
    fn a_scheme_in_the_query_of_a_bare_link_is_no_scheme() {
        assert_eq!(
            kinds("Weiter: example.de/r?to=https://example.de/sale"),
            ["url example.de"]
        );
    }

    #[test]
    fn www_links_with_an_unknown_top_level_domain_are_invalid() {
        for (text, link) in [
            (
                "Besuchen Sie www.beauty-shop.c0m heute",
                "www.beauty-shop.c0m",
            ),
            ("Visit WWW.X.C0M!", "WWW.X.C0M"),
            ("Promo em www.loja.combr/ofertas.", "www.loja.combr/ofertas"),
        ] {
            let found = find(text);
            assert_eq!(found.len(), 1, "{text:?}: {:?}", kinds(text));
            assert_eq!(found[0].text, link);
            assert!(
                matches!(&found[0].kind, FoundKind::Invalid(r) if r.contains("does not exist")),
                "{text:?}: {:?}",
                found[0].kind
            );
        }
    }

    #[test]
    fn bare_links_are_found() {
        for (text, host) in [
            ("Sale: shop.example.de/sale", "shop.example.de"),
            ("Bestellen auf bäckerei.de", "xn--bckerei-5wa.de"),
            ("Descuentos en tienda.es esta semana", "tienda.es"),
            ("TXT WIN to WAY2SMS.COM now", "way2sms.com"),
            ("Angebote unter beispiel.at/angebote", "beispiel.at"),
            ("Promo di toko.co.id/promo", "toko.co.id"),
        ] {
            assert_eq!(url(text).host, host, "{text:?}");
        }
    }

    #[test]
    fn bare_non_links_are_ignored() {
        for text in [
            "open file.txt or version 2.0, e.g. now",
            "Bitte z.B. Mehl mitbringen, ca. 2.5 kg, u.a. für v1.2.3",
            "Die Kursunterlagen: readme.md und main.py",
            "Ruf an: Tel. 0170.123.45.67",
            "Server 10.0.0.1 ist neu",
            "Nice.how are you? Miss her.love u",
            "ok.see you at 5.Call me tomorrow.call",
            "Gracias.De nada, hasta mañana.Es tarde",
            "I think message.it is late. Can you.at 5?",
            "Preis 3.50, Rabatt 12.5 %, am 24.12.2026",
        ] {
            assert!(kinds(text).is_empty(), "{text:?}: {:?}", kinds(text));
        }
    }

    #[test]
    fn ascii_forms_of_domains_are_compared() {
        let allowed = vec![ascii_domain("Bäckerei.de").unwrap().into_owned()];
        assert_eq!(allowed, ["xn--bckerei-5wa.de"]);
        assert!(is_within("xn--bckerei-5wa.de", &allowed));
        assert!(is_within("bäckerei.de", &allowed));
        assert!(is_within("shop.BÄCKEREI.de", &allowed));
        assert!(!is_within("xn--bckerei-5wa.de.evil.com", &allowed));
        assert!(!is_within("meinebäckerei.de", &allowed));
        assert!(!is_within("backerei.de", &allowed));
        assert_eq!(email_key(" Info@Bäckerei.DE "), "info@xn--bckerei-5wa.de");
        assert_eq!(ascii_domain("example.com/shop"), None);
        assert_eq!(ascii_domain(""), None);
        assert_eq!(ascii_domain("a..de"), None);
        assert_eq!(ascii_domain("xn--zz-.de"), None);
        assert_eq!(
            ascii_domain("ＢÄＣＫＥＲＥＩ．ｄｅ").as_deref(),
            Some("xn--bckerei-5wa.de")
        );
    }
}
