//! The 7-2-1 class of a message, from cues anyone can check: a hard-selling call to
//! action makes it an `ad`; a discount, coupon, price or shop link an `offer`;
//! anything else is `useful`.

use crate::compiled::Compiled;
use crate::lexicon::PhraseList;
use crate::links::{Found, FoundKind};
use crate::matcher::Hit;
use crate::report::Kind;

pub(crate) const CALL_TO_ACTION: &str = "call_to_action";
pub(crate) const DISCOUNT: &str = "discount";
pub(crate) const COUPON: &str = "coupon";
pub(crate) const PRICE: &str = "price";
pub(crate) const SHOP_LINK: &str = "shop_link";

/// The promotional cues of a message: (cue name, start, end), in text order.
#[derive(Debug, Default)]
pub(crate) struct Cues {
    found: Vec<(&'static str, usize, usize)>,
}

impl Cues {
    /// The class the cues point to.
    pub(crate) fn kind(&self) -> Kind {
        if self.found.iter().any(|c| c.0 == CALL_TO_ACTION) {
            Kind::Ad
        } else if self.found.is_empty() {
            Kind::Useful
        } else {
            Kind::Offer
        }
    }

    /// Every cue, in text order.
    pub(crate) fn all(&self) -> impl Iterator<Item = (&'static str, usize, usize)> + '_ {
        self.found.iter().copied()
    }

    /// The byte ranges of prices (numbers next to a currency).
    pub(crate) fn prices(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.found
            .iter()
            .filter(|c| c.0 == PRICE)
            .map(|&(_, start, end)| (start, end))
    }
}

/// Collects the cues of `text`.
pub(crate) fn cues(engine: &Compiled, text: &str, hits: &[Hit<'_>], links: &[Found<'_>]) -> Cues {
    let mut found = Vec::new();
    for hit in hits {
        let cue = match hit.entry.list {
            PhraseList::CallToAction => CALL_TO_ACTION,
            PhraseList::Discount => DISCOUNT,
            PhraseList::Coupon => COUPON,
            _ => continue,
        };
        found.push((cue, hit.start, hit.end));
    }
    prices(engine, text, &mut found);
    for link in links {
        if let FoundKind::Url(info) = &link.kind {
            let domain = info.domain.as_deref();
            let subdomain = domain.and_then(|d| info.host.strip_suffix(d)).unwrap_or("");
            // The registrable domain's own name (`shopee` of `shopee.co.id`), so one
            // marketplace entry covers every country's public suffix.
            let name = domain.and_then(|d| d.split('.').next()).unwrap_or("");
            let is_shop = engine.shop_domains.contains(name)
                || subdomain
                    .split('.')
                    .chain(info.path.split('/'))
                    .any(|part| engine.shop_words.contains(part));
            if is_shop {
                found.push((SHOP_LINK, link.start, link.end));
            }
        }
    }
    found.sort_by_key(|c| c.1);
    Cues { found }
}

/// Adds the prices of `text` to `found`: numbers written next to a currency
/// marker (`€19,90`, `19.90 EUR`, `R$ 50`).
fn prices(engine: &Compiled, text: &str, found: &mut Vec<(&'static str, usize, usize)>) {
    if !has_ascii_digit(text.as_bytes()) {
        return;
    }
    crate::matcher::leftmost(&engine.currencies, text.as_bytes(), |start, end| {
        if let Some((start, end)) = price(text, start, end) {
            found.push((PRICE, start, end));
        }
    });
}

/// The price around the currency marker at `start..end`, if a number is next to it.
fn price(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let is_word_marker = text[start..end].chars().any(char::is_alphabetic);
    // A marker with letters ("EUR", "Rp", "원", "S/") may touch its number but
    // not other Latin letters: "Rp50.000" and "5000원에" are prices, "Europe"
    // and the Indonesian "1 s/d 5" ("1 to 5") are not.
    let glued = |c: Option<char>| is_word_marker && c.is_some_and(is_latin_letter);
    if let Some(number_end) = number_after(text, end) {
        if !glued(text[..start].chars().next_back()) {
            return Some((start, number_end));
        }
    }
    number_before(text, start)
        .filter(|_| !glued(text[end..].chars().next()))
        .map(|number_start| (number_start, end))
}

/// Whether `bytes` has an ASCII digit. Most messages have none, so it tests 16
/// bytes at a time without an early exit inside a block (the compiler turns that
/// into vector compares) rather than one byte per branch.
fn has_ascii_digit(bytes: &[u8]) -> bool {
    let mut blocks = bytes.chunks_exact(16);
    let in_blocks = blocks
        .by_ref()
        .any(|block| block.iter().fold(false, |any, b| any | b.is_ascii_digit()));
    in_blocks || blocks.remainder().iter().any(u8::is_ascii_digit)
}

/// The end of a number that starts at `at`, after at most one space.
fn number_after(text: &str, at: usize) -> Option<usize> {
    let rest = &text[at..];
    let skipped = rest.len() - rest.trim_start_matches([' ', '\u{a0}']).len();
    if skipped > 2 {
        return None;
    }
    let digits = &rest[skipped..];
    if !digits.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let mut end = 0;
    let bytes = digits.as_bytes();
    while end < bytes.len() {
        let b = bytes[end];
        let continues = b.is_ascii_digit()
            || (matches!(b, b'.' | b',' | b'\'')
                && bytes.get(end + 1).is_some_and(u8::is_ascii_digit));
        if !continues {
            break;
        }
        end += 1;
    }
    Some(at + skipped + end)
}

/// The start of a number that ends at `at`, before at most one space.
fn number_before(text: &str, at: usize) -> Option<usize> {
    let head = &text[..at];
    let trimmed = head.trim_end_matches([' ', '\u{a0}']);
    if head.len() - trimmed.len() > 2 || !trimmed.ends_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let bytes = trimmed.as_bytes();
    let mut start = bytes.len();
    while start > 0 {
        let b = bytes[start - 1];
        let continues = b.is_ascii_digit()
            || (matches!(b, b'.' | b',' | b'\'')
                && start >= 2
                && bytes[start - 2].is_ascii_digit());
        if !continues {
            break;
        }
        start -= 1;
    }
    Some(start)
}

/// A letter of a script that separates words with spaces.
fn is_latin_letter(c: char) -> bool {
    c.is_alphabetic() && !crate::text::is_spaceless_script(c)
}

#[cfg(test)]
mod tests {
    use crate::{Engine, Kind, Message};

    fn kind(text: &str) -> Kind {
        Engine::default().check(&Message::new(text)).unwrap().kind
    }

    fn cues(text: &str) -> Vec<String> {
        let report = Engine::default().check(&Message::new(text)).unwrap();
        report.cues.into_iter().map(|c| c.cue).collect()
    }

    fn prices(text: &str) -> Vec<String> {
        let report = Engine::default().check(&Message::new(text)).unwrap();
        report
            .cues
            .into_iter()
            .filter(|c| c.cue == "price")
            .map(|c| c.matched)
            .collect()
    }

    /// The markers as `AhoCorasick::find_iter` finds them over the SMS corpus
    /// and a few prices of every marker: the same as the engine's scan.
    #[test]
    #[cfg_attr(miri, ignore = "scans the SMS corpus: minutes under Miri")]
    fn the_marker_scan_equals_find_iter() {
        use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
        let markers = crate::lexicon::Lexicons::builtin().currencies;
        assert!(
            markers.iter().all(|m| !m.is_empty()),
            "the scan needs no empty marker"
        );
        let reference = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&markers)
            .unwrap();
        let dfa = aho_corasick::dfa::Builder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(&markers)
            .unwrap();
        let corpus = include_str!("../../data/sms_spam_collection.tsv");
        let made: Vec<String> = markers
            .iter()
            .map(|m| {
                format!(
                    "nur {m}19,90 statt 24,90 {m}, {m} 5 mil {}",
                    m.to_uppercase()
                )
            })
            .collect();
        let mut total = 0;
        for text in corpus.lines().chain(made.iter().map(String::as_str)) {
            let expected: Vec<(usize, usize)> = reference
                .find_iter(text)
                .map(|m| (m.start(), m.end()))
                .collect();
            let mut found = Vec::new();
            crate::matcher::leftmost(&dfa, text.as_bytes(), |s, e| found.push((s, e)));
            total += found.len();
            assert_eq!(found, expected, "{text}");
        }
        assert!(total > 500, "{total} markers");
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "builds the engine (thousands of phrases into a DFA): hours under Miri"
    )]
    fn prices_with_symbols_and_words() {
        assert_eq!(prices("nur €19,90 statt 24,90 €"), ["€19,90", "24,90 €"]);
        assert_eq!(
            prices("Rp50.000 saja, 5000원에, 50元"),
            ["Rp50.000", "5000원", "50元"]
        );
        assert_eq!(prices("10 EUR, R$ 50"), ["10 EUR", "R$ 50"]);
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "builds the engine (thousands of phrases into a DFA): hours under Miri"
    )]
    fn numbers_without_currency_are_not_prices() {
        assert!(prices("Europe 2026, 12 Eurostar trains, 3 eurovision songs").is_empty());
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "builds the engine (thousands of phrases into a DFA): hours under Miri"
    )]
    fn local_price_formats() {
        assert_eq!(prices("tarif Rp. 3.190/minggu"), ["Rp. 3.190"]);
        assert_eq!(prices("cuma 75rb aja"), ["75rb"]);
        assert_eq!(
            prices("hanya 50 ribu, bisa 20ribuan"),
            ["50 ribu", "20ribuan"]
        );
        assert_eq!(prices("por R$ 29,90 ou $1.999"), ["R$ 29,90", "$1.999"]);
        assert_eq!(prices("ahora € 9,99"), ["€ 9,99"]);
        assert_eq!(prices("a 10 mil pesos"), ["10 mil pesos"]);
        assert_eq!(prices("menú a S/ 15 o S/. 35,50"), ["S/ 15", "S/. 35,50"]);
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "builds the engine (thousands of phrases into a DFA): hours under Miri"
    )]
    fn look_alike_numbers_are_not_prices() {
        // Indonesian "s/d" ("until") next to a number is not the Peruvian sol.
        assert!(prices("rapat jam 1 s/d 3 sore, berlaku 1 s/d 5 Mei").is_empty());
        // "peso" alone is also "weight", "mil" alone is "thousand".
        assert!(prices("mi peso 70 kg; mais de 2 mil pessoas").is_empty());
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "builds the engine (thousands of phrases into a DFA): hours under Miri"
    )]
    fn promotional_messages_in_id_es_pt_are_offers() {
        for text in [
            "Hemat hingga 50% untuk semua sepatu minggu ini di toko kami.",
            "Baju koko terbaru cuma 75rb aja, kak! Stok baru datang hari ini.",
            "Gratis ongkos kirim ke seluruh Jawa untuk pesanan hari ini.",
            "Tunjukkan SMS ini di kasir untuk dapat es teh manis.",
            "Koleksi lebaran sudah ada di https://shopee.co.id/butikaisyah",
            "Envío gratis en todos los pedidos este fin de semana.",
            "Camisetas de la selección a 10 mil pesos en el local del centro.",
            "Menú del día a S/ 15 en nuestro local de Miraflores.",
            "Hasta 12 meses sin intereses en toda la línea blanca.",
            "Mira la nueva colección: https://articulo.mercadolibre.com.mx/MLM-123456",
            "Frete grátis para todo o Brasil nas compras deste fim de semana.",
            "Tênis de corrida em 10x sem juros, só nesta semana.",
            "Leve 3 pague 2 em todos os cosméticos da loja.",
            "Chegou a coleção de inverno: https://www.magazineluiza.com.br/casaco-la/p/abc123/",
        ] {
            assert_eq!(kind(text), Kind::Offer, "{text}");
        }
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "builds the engine (thousands of phrases into a DFA): hours under Miri"
    )]
    fn hard_sells_in_id_es_pt_are_ads() {
        for text in [
            "Aktifkan sekarang paket malam 10GB, kuota besar buat nonton.",
            "Reserva ahora tu mesa para San Valentín.",
            "Aproveite já: as últimas vagas do curso de inglês.",
        ] {
            assert_eq!(kind(text), Kind::Ad, "{text}");
        }
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "builds the engine (thousands of phrases into a DFA): hours under Miri"
    )]
    fn marketplace_links_are_shop_links_and_other_links_are_not() {
        assert_eq!(cues("https://www.amazon.es/dp/B0TEST"), ["shop_link"]);
        assert_eq!(
            cues("https://www.tokopedia.com/tokoku/kemeja"),
            ["shop_link"]
        );
        assert!(cues("Lokasi rapat: https://maps.google.com/?q=monas").is_empty());
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "builds the engine (thousands of phrases into a DFA): hours under Miri"
    )]
    fn ordinary_messages_stay_useful() {
        // Decided: "oferta" alone is no cue, "oferta de trabajo/emprego" is a job
        // offer. "promoción"/"promoção" alone stay cues: in a marketing send they
        // mean a sales promotion far more often than a job promotion.
        for text in [
            "Rapat dipindah ke jam 1 s/d 3 sore di ruang 2.",
            "Recibimos tu oferta de trabajo, te llamamos el lunes.",
            "Recebemos sua oferta de emprego, retornamos amanhã.",
            "El promotor del concierto nos llama mañana.",
            "Mais de 2 mil pessoas foram ao show ontem.",
            "Mi peso ahora es 70 kg, el médico está contento.",
        ] {
            assert_eq!(kind(text), Kind::Useful, "{text}");
        }
    }
}
