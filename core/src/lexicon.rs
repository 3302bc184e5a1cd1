//! The built-in lexicons: phrase lists kept as data files under `core/lexicons/`
//! and compiled into the binary by `build.rs`.
//!
//! Layout (each `.txt` file holds one phrase per line; a line that is `#` or starts
//! with `# ` is a comment, so hashtag phrases such as `#ad` can be listed):
//!
//! | path | holds |
//! |---|---|
//! | `bait/<category>/<lang>.txt` | bait phrases (`bait_word`) |
//! | `ad_label/<lang>.txt` | disclosure labels (`missing_ad_label`) |
//! | `not_ad_label/<lang>.txt` | phrases with a label word that label nothing ("不是广告", "keine Werbung") |
//! | `promo/{discount,coupon,cta}/<lang>.txt` | cues that make a message an offer or an ad |
//! | `promo/currency.txt`, `promo/shop_path.txt` | price markers, shop-link words |
//! | `promo/shop_domain.txt` | marketplace names (`shopee`, `mercadolivre`): links to them are shop links |
//! | `opt_out/<lang>.txt` | instructions for stopping messages (`missing_opt_out`) |
//! | `pii/{sensitive,honorific,number_context}/<lang>.txt` | personal-data cues (`pii_exposure`) |
//! | `mention/all.txt` | words that after `@` address a whole group (`mass_mention`) |
//! | `links/shorteners.txt` | URL-shortener domains (`risky_link`) |
//! | `links/bare_tlds.txt` | TLDs that make a host without scheme, `www.` or path a link (read by `links.rs`) |
//! | `import/<column>.txt`, `import/method_<method>.txt` | header names of contact-import columns and spellings of consent methods (English, German) |
//! | `homoglyphs.txt` | lookalike letters and the Latin letter they imitate |
//! | `stopwords/<lang>.txt` | function words that say nothing about a topic (`off_topic`) |
//! | `inbound/opt_out/<lang>.txt` | a customer asking to stop messages, anywhere in an inbound message |
//! | `inbound/opt_out_keyword/<lang>.txt` | keywords (`STOP`, `TD`) that opt out only as the whole message |
//! | `inbound/filler/<lang>.txt` | polite words allowed next to such a keyword (`STOP please`) |
//! | `inbound/negation/<lang>.txt` | words that cancel an opt-out phrase right after them |
//! | `inbound/{complaint,urgent,question}/<lang>.txt` | 15-5-1 triage cues |
//! | `inbound/ack/<lang>.txt` | acknowledgements: a message of only these needs no reply |
//! | `inbound/question_marks.txt` | characters that make a message a question |

use std::collections::HashMap;

/// Every lexicon file: (path below `lexicons/`, contents).
static FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/lexicons.rs"));

/// Which list a phrase belongs to; decides which rule or cue it feeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum PhraseList {
    Bait,
    AdLabel,
    /// A phrase that contains a label but denies it ("not an ad", "광고 아님"):
    /// labels inside it do not count.
    NotAdLabel,
    Discount,
    Coupon,
    CallToAction,
    OptOut,
    Sensitive,
    Honorific,
    NumberContext,
    /// Inbound: a customer asking to stop messages (anywhere in the message).
    InboundOptOut,
    /// Inbound: an opt-out keyword that counts only as the whole message.
    OptOutKeyword,
    /// Inbound: polite words allowed next to an opt-out keyword.
    Filler,
    /// Inbound: words that negate an opt-out phrase after them.
    Negation,
    /// Inbound: complaints and negative feedback (15-5-1: one minute).
    Complaint,
    /// Inbound: urgent requests (15-5-1: five minutes).
    Urgent,
    /// Inbound: question words (15-5-1: fifteen minutes).
    Question,
    /// Inbound: acknowledgements that need no reply.
    Ack,
}

impl PhraseList {
    /// Whether the list is read from inbound messages (customer to business)
    /// rather than from the messages a business sends.
    pub(crate) fn is_inbound(self) -> bool {
        matches!(
            self,
            PhraseList::InboundOptOut
                | PhraseList::OptOutKeyword
                | PhraseList::Filler
                | PhraseList::Negation
                | PhraseList::Complaint
                | PhraseList::Urgent
                | PhraseList::Question
                | PhraseList::Ack
        )
    }
}

/// One phrase of a list, as written in its file or policy.
#[derive(Clone, Debug)]
pub(crate) struct Phrase {
    pub(crate) list: PhraseList,
    /// The bait category (`free-gift`, …), or the list's name for other lists.
    pub(crate) category: String,
    pub(crate) lang: String,
    pub(crate) text: String,
}

/// All built-in lexicons, parsed.
#[derive(Debug, Default)]
pub(crate) struct Lexicons {
    pub(crate) phrases: Vec<Phrase>,
    pub(crate) mention_keywords: Vec<String>,
    pub(crate) currencies: Vec<String>,
    pub(crate) shop_words: Vec<String>,
    pub(crate) shop_domains: Vec<String>,
    pub(crate) shorteners: Vec<String>,
    pub(crate) homoglyphs: HashMap<char, char>,
    /// Function words ignored by topic relevance.
    pub(crate) stopwords: Vec<String>,
    /// Characters that make an inbound message a question (`?`, `？`, `¿`).
    pub(crate) question_marks: Vec<char>,
    /// Files whose path fits no list above (a test keeps this empty).
    pub(crate) unrecognised: Vec<&'static str>,
}

impl Lexicons {
    /// Parses the embedded lexicon files.
    pub(crate) fn builtin() -> Lexicons {
        let mut lexicons = Lexicons::default();
        for &(path, contents) in FILES {
            lexicons.add_file(path, contents);
        }
        lexicons
    }

    /// The bait categories that have at least one phrase.
    pub(crate) fn bait_categories(&self) -> Vec<&str> {
        let mut categories: Vec<&str> = self
            .phrases
            .iter()
            .filter(|p| p.list == PhraseList::Bait)
            .map(|p| p.category.as_str())
            .collect();
        categories.sort_unstable();
        categories.dedup();
        categories
    }

    fn add_file(&mut self, path: &'static str, contents: &str) {
        let parts: Vec<&str> = path.trim_end_matches(".txt").split('/').collect();
        let lines = lines(contents);
        match parts.as_slice() {
            ["bait", category, lang] => self.add_phrases(PhraseList::Bait, category, lang, lines),
            ["ad_label", lang] => self.add_phrases(PhraseList::AdLabel, "ad_label", lang, lines),
            ["not_ad_label", lang] => {
                self.add_phrases(PhraseList::NotAdLabel, "not_ad_label", lang, lines)
            }
            ["opt_out", lang] => self.add_phrases(PhraseList::OptOut, "opt_out", lang, lines),
            ["promo", "discount", lang] => {
                self.add_phrases(PhraseList::Discount, "discount", lang, lines)
            }
            ["promo", "coupon", lang] => {
                self.add_phrases(PhraseList::Coupon, "coupon", lang, lines)
            }
            ["promo", "cta", lang] => {
                self.add_phrases(PhraseList::CallToAction, "call_to_action", lang, lines)
            }
            ["pii", "sensitive", lang] => {
                self.add_phrases(PhraseList::Sensitive, "sensitive", lang, lines)
            }
            ["pii", "honorific", lang] => {
                self.add_phrases(PhraseList::Honorific, "honorific", lang, lines)
            }
            ["pii", "number_context", lang] => {
                self.add_phrases(PhraseList::NumberContext, "number_context", lang, lines)
            }
            ["inbound", name, lang] => {
                let list = match *name {
                    "opt_out" => PhraseList::InboundOptOut,
                    "opt_out_keyword" => PhraseList::OptOutKeyword,
                    "filler" => PhraseList::Filler,
                    "negation" => PhraseList::Negation,
                    "complaint" => PhraseList::Complaint,
                    "urgent" => PhraseList::Urgent,
                    "question" => PhraseList::Question,
                    "ack" => PhraseList::Ack,
                    _ => return self.unrecognised.push(path),
                };
                self.add_phrases(list, name, lang, lines);
            }
            ["inbound", "question_marks"] => self
                .question_marks
                .extend(lines.filter_map(|line| line.chars().next())),
            ["promo", "currency"] => self.currencies.extend(lines.map(str::to_owned)),
            ["promo", "shop_path"] => self.shop_words.extend(lines.map(str::to_lowercase)),
            ["promo", "shop_domain"] => self.shop_domains.extend(lines.map(str::to_lowercase)),
            ["mention", "all"] => self.mention_keywords.extend(lines.map(str::to_owned)),
            ["stopwords", _lang] => self.stopwords.extend(lines.map(str::to_owned)),
            ["links", "shorteners"] => self.shorteners.extend(lines.map(str::to_lowercase)),
            // Read on its own by `links.rs` (through `builtin_lines`), which has no engine.
            ["links", "bare_tlds"] => {}
            // Contact-import header names and consent-method spellings, read by
            // `audience::import`.
            ["import", _] => {}
            ["homoglyphs"] => {
                for line in lines {
                    let mut chars = line.split_whitespace().filter_map(|s| s.chars().next());
                    if let (Some(lookalike), Some(latin)) = (chars.next(), chars.next()) {
                        self.homoglyphs.insert(lookalike, latin);
                    }
                }
            }
            _ => self.unrecognised.push(path),
        }
    }

    fn add_phrases<'a>(
        &mut self,
        list: PhraseList,
        category: &str,
        lang: &str,
        lines: impl Iterator<Item = &'a str>,
    ) {
        self.phrases.extend(lines.map(|text| Phrase {
            list,
            category: category.to_owned(),
            lang: lang.to_owned(),
            text: text.to_owned(),
        }));
    }
}

/// The lines of one built-in lexicon file (`links/bare_tlds.txt`), for a list
/// that a module reads on its own; empty for an unknown path.
pub(crate) fn builtin_lines(path: &str) -> impl Iterator<Item = &'static str> + '_ {
    FILES
        .iter()
        .filter(move |(file, _)| *file == path)
        .flat_map(|(_, contents)| lines(contents))
}

/// The non-empty, non-comment lines of a lexicon file, trimmed. A comment is `#`
/// alone or `#` and a space; `#ad` is a phrase.
fn lines(contents: &str) -> impl Iterator<Item = &str> {
    contents
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && *line != "#" && !line.starts_with("# "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashtags_are_phrases_and_hash_space_is_a_comment() {
        let kept: Vec<&str> = lines("# comment\n#\n#ad\n  Anzeige  \n\n").collect();
        assert_eq!(kept, ["#ad", "Anzeige"]);
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "loads and folds every built-in lexicon: too slow under Miri"
    )]
    fn every_file_is_recognised() {
        let lexicons = Lexicons::builtin();
        assert!(
            lexicons.unrecognised.is_empty(),
            "{:?}",
            lexicons.unrecognised
        );
    }

    #[test]
    fn every_seed_language_has_inbound_lists() {
        let lexicons = Lexicons::builtin();
        for lang in ["de", "fr", "ko", "zh", "ja", "en", "es", "pt", "id"] {
            for list in [
                PhraseList::InboundOptOut,
                PhraseList::OptOutKeyword,
                PhraseList::Complaint,
                PhraseList::Urgent,
                PhraseList::Question,
                PhraseList::Ack,
                PhraseList::Filler,
            ] {
                assert!(
                    lexicons
                        .phrases
                        .iter()
                        .any(|p| p.list == list && p.lang == lang),
                    "no {list:?} phrase for {lang}"
                );
            }
        }
        assert_eq!(lexicons.question_marks, ['?', '？', '¿', '؟']);
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "loads and folds every built-in lexicon: too slow under Miri"
    )]
    fn every_seed_language_has_bait_labels_and_cues() {
        let lexicons = Lexicons::builtin();
        for lang in ["de", "fr", "ko", "zh", "en", "es", "pt", "id"] {
            for list in [
                PhraseList::Bait,
                PhraseList::AdLabel,
                PhraseList::Discount,
                PhraseList::CallToAction,
                PhraseList::OptOut,
            ] {
                assert!(
                    lexicons
                        .phrases
                        .iter()
                        .any(|p| p.list == list && p.lang == lang),
                    "no {list:?} phrase for {lang}"
                );
            }
        }
        assert_eq!(
            lexicons.bait_categories(),
            [
                "click-bait",
                "false-urgency",
                "free-gift",
                "guarantee",
                "prize"
            ]
        );
    }
}
