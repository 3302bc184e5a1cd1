//! What a group talks about, and how well a message fits it (`off_topic`).
//!
//! A topic is the set of content words of the group's recent messages (or of a
//! few keywords). Words come from the engine's folded view, so case, accents and
//! evasions do not matter; function words (the `stopwords` lexicons) are ignored.
//! In Latin-script text a content word is a word of three or more letters, and it
//! also matches through its first five letters ("Kinderwagen" ~ "Kinderwagens");
//! in Chinese, Japanese and Korean text, which have no spaces (or glue particles
//! to words), content words are the two-character pieces of the text.
//!
//! **Relevance** is the share of the message's distinct content words that the
//! topic uses, a number in `[0, 1]`: 1.0 when every content word is one the group
//! uses, 0.0 when none is. A message with no content words at all (only emoji or
//! function words) has relevance 1.0: there is nothing to judge.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use crate::error::Error;
use crate::lexicon::Lexicons;
use crate::text::{is_spaceless_script, Folded, Folder};

/// Length of the prefix through which Latin-script words also match.
const PREFIX: usize = 5;

/// The vocabulary of a group.
///
/// # Examples
/// ```
/// let topic = sendlint::Topic::from_texts([
///     "Wer hat Erfahrung mit Kinderwagen für Zwillinge?",
///     "Suche gebrauchte Babykleidung Größe 68",
///     "Tipps gegen Koliken beim Baby?",
/// ])?;
/// assert!(topic.relevance("Verkaufe Kinderwagen und Babykleidung") > 0.6);
/// assert!(topic.relevance("Neuer Lippenstift im Angebot, jetzt bestellen") < 0.3);
/// # Ok::<(), sendlint::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Topic {
    words: HashSet<String>,
    prefixes: HashSet<String>,
    counts: HashMap<String, usize>,
}

/// The folder and stopwords shared by every topic.
struct Vocabulary {
    folder: Folder,
    stopwords: HashSet<String>,
}

fn vocabulary() -> &'static Vocabulary {
    static VOCABULARY: OnceLock<Vocabulary> = OnceLock::new();
    VOCABULARY.get_or_init(|| {
        let lexicons = Lexicons::builtin();
        let folder = Folder::new(lexicons.homoglyphs.clone());
        let mut stopwords = HashSet::new();
        for word in &lexicons.stopwords {
            let folded = folder.fold(word);
            // Spaceless stopwords are stored as their two-character pieces.
            content_words(&folded, &HashSet::new(), |w| {
                stopwords.insert(w.to_owned());
            });
        }
        Vocabulary { folder, stopwords }
    })
}

impl Topic {
    /// Most UTF-8 bytes of text, all texts together, that [`Topic::from_texts`]
    /// and [`Topic::from_keywords`] read: 4 MiB. A topic needs a group's recent
    /// messages, not its archive, and 4 MiB is about 52,000 SMS-length messages,
    /// while time and memory grow with the input: 4 MiB of SMS text builds in
    /// 0.7 s with 2 MiB of memory, and even when every word is new, 1.8 s and
    /// 53 MiB (100 MB took 9 s and 1.7 GB before there was a limit).
    /// [`Topic::from_texts_with_limit`] sets another limit.
    pub const MAX_INPUT_BYTES: usize = 4 << 20;

    /// The topic of a group, from its recent messages (at most
    /// [`Topic::MAX_INPUT_BYTES`] in all).
    ///
    /// # Errors
    /// [`Error::Input`] when the texts hold more than [`Topic::MAX_INPUT_BYTES`];
    /// the error comes as soon as the limit is passed, before the rest is read.
    pub fn from_texts<I, S>(texts: I) -> Result<Topic, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Topic::from_texts_with_limit(texts, Topic::MAX_INPUT_BYTES)
    }

    /// Like [`Topic::from_texts`] with a limit of `max_bytes` instead of
    /// [`Topic::MAX_INPUT_BYTES`].
    ///
    /// # Examples
    /// ```
    /// use sendlint::Topic;
    /// let messages = ["Brezeln frisch aus dem Ofen", "Sauerteig richtig füttern"];
    /// assert!(Topic::from_texts_with_limit(messages, 1_000).is_ok());
    /// let err = Topic::from_texts_with_limit(messages, 30).unwrap_err();
    /// assert!(err.to_string().contains("more than 30 bytes"));
    /// ```
    pub fn from_texts_with_limit<I, S>(texts: I, max_bytes: usize) -> Result<Topic, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let vocabulary = vocabulary();
        let mut topic = Topic::default();
        let mut total = 0usize;
        for (index, text) in texts.into_iter().enumerate() {
            let text = text.as_ref();
            total = total.saturating_add(text.len());
            if total > max_bytes {
                return Err(Error::Input(format!(
                    "topic texts hold more than {max_bytes} bytes (passed at text {index}); \
                     build the topic from the group's recent messages only"
                )));
            }
            let folded = vocabulary.folder.fold(text);
            content_words(&folded, &vocabulary.stopwords, |word| {
                *topic.counts.entry(word.to_owned()).or_default() += 1;
                if let Some(prefix) = prefix(word) {
                    topic.prefixes.insert(prefix.to_owned());
                }
                topic.words.insert(word.to_owned());
            });
        }
        Ok(topic)
    }

    /// The topic given by keywords ("Babyartikel", "Kinderwagen", "육아"); the same
    /// limit as [`Topic::from_texts`] applies.
    ///
    /// # Examples
    /// ```
    /// let topic = sendlint::Topic::from_keywords(["Kinderwagen", "Babykleidung"])?;
    /// assert!(topic.relevance("Kinderwagen und Babykleidung") > 0.6);
    /// # Ok::<(), sendlint::Error>(())
    /// ```
    pub fn from_keywords<I, S>(keywords: I) -> Result<Topic, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Topic::from_texts(keywords)
    }

    /// Share of the message's content words the topic uses, in `[0, 1]`.
    pub fn relevance(&self, text: &str) -> f64 {
        let vocabulary = vocabulary();
        let folded = vocabulary.folder.fold(text);
        let mut seen = HashSet::new();
        let mut known = 0usize;
        content_words(&folded, &vocabulary.stopwords, |word| {
            if seen.insert(word.to_owned()) {
                let fits = self.words.contains(word)
                    || prefix(word).is_some_and(|p| self.prefixes.contains(p));
                known += usize::from(fits);
            }
        });
        if seen.is_empty() {
            1.0
        } else {
            known as f64 / seen.len() as f64
        }
    }

    /// The topic's most frequent content words, most frequent first.
    pub fn keywords(&self, n: usize) -> Vec<String> {
        let mut ranked: Vec<(&String, &usize)> = self.counts.iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(a.1).then_with(|| a.0.cmp(b.0)));
        ranked.into_iter().take(n).map(|(w, _)| w.clone()).collect()
    }

    /// Whether the topic has no words at all.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The topic as JSON, to store it or hand it to another process:
    /// `{"format": "sendlint-topic", "version": 1, "words": {word: count, …}}`
    /// with the folded content words in sorted order (so equal topics give equal
    /// text). [`Topic::from_json`] reads it back.
    ///
    /// # Examples
    /// ```
    /// use sendlint::Topic;
    /// let topic = Topic::from_texts(["Kinderwagen für Zwillinge", "Kinderwagen gesucht"])?;
    /// let json = topic.to_json();
    /// assert!(json.contains(r#""kinderwagen":2"#), "{json}");
    /// let again = Topic::from_json(&json)?;
    /// assert_eq!(again.relevance("Verkaufe Kinderwagen"), topic.relevance("Verkaufe Kinderwagen"));
    /// # Ok::<(), sendlint::Error>(())
    /// ```
    pub fn to_json(&self) -> String {
        let file = TopicFile {
            format: TOPIC_FORMAT.to_owned(),
            version: TOPIC_VERSION,
            words: self.counts.iter().map(|(w, &c)| (w.clone(), c)).collect(),
        };
        serde_json::to_string(&file).expect("a topic always serialises")
    }

    /// Reads a topic written by [`Topic::to_json`].
    ///
    /// # Errors
    /// [`Error::Json`] naming the field when `json` is not JSON or not a topic
    /// of this version (another `format` or `version`, an empty word, a count of 0).
    pub fn from_json(json: &str) -> Result<Topic, Error> {
        let file: TopicFile = Error::parse_json("topic", json)?;
        let wrong = |field: &str, message: String| Error::Json {
            document: "topic",
            field: Some(field.to_owned()),
            line: 1,
            column: 1,
            message,
        };
        if file.format != TOPIC_FORMAT {
            return Err(wrong(
                "format",
                format!("{:?} is not {TOPIC_FORMAT:?}", file.format),
            ));
        }
        if file.version != TOPIC_VERSION {
            return Err(wrong(
                "version",
                format!(
                    "topic version {} is not supported (this build reads {TOPIC_VERSION})",
                    file.version
                ),
            ));
        }
        let mut topic = Topic::default();
        for (word, count) in file.words {
            if word.is_empty() || count == 0 {
                return Err(wrong(
                    &format!("words.{word}"),
                    "words must be non-empty and counted at least once".to_owned(),
                ));
            }
            if let Some(prefix) = prefix(&word) {
                topic.prefixes.insert(prefix.to_owned());
            }
            topic.words.insert(word.clone());
            topic.counts.insert(word, count);
        }
        Ok(topic)
    }
}

const TOPIC_FORMAT: &str = "sendlint-topic";
const TOPIC_VERSION: u32 = 1;

/// The JSON form of a topic: the words and their counts (the prefixes are
/// rebuilt from the words).
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicFile {
    format: String,
    version: u32,
    words: std::collections::BTreeMap<String, usize>,
}

fn prefix(word: &str) -> Option<&str> {
    let (end, _) = word.char_indices().nth(PREFIX)?;
    (!word.starts_with(is_spaceless_script)).then(|| &word[..end])
}

/// Calls `emit` for every content word of a folded text: Latin-script words of
/// three or more characters, and two-character pieces of spaceless runs.
fn content_words(folded: &Folded, stopwords: &HashSet<String>, mut emit: impl FnMut(&str)) {
    let text = folded.as_str();
    let mut emit_unless_stop = |word: &str| {
        if !stopwords.contains(word) {
            emit(word);
        }
    };
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if is_spaceless_script(c) {
            let mut j = i;
            while j < chars.len() && is_spaceless_script(chars[j].1) {
                j += 1;
            }
            for k in i..j.saturating_sub(1) {
                let end = chars.get(k + 2).map_or(text.len(), |&(e, _)| e);
                emit_unless_stop(&text[chars[k].0..end]);
            }
            i = j;
            continue;
        }
        let mut j = i + 1;
        while j < chars.len() && !folded.is_boundary(chars[j].0) && !is_spaceless_script(chars[j].1)
        {
            j += 1;
        }
        let end = chars.get(j).map_or(text.len(), |&(e, _)| e);
        let word = &text[start..end];
        if j - i >= 3 && !word.bytes().all(|b| b.is_ascii_digit()) {
            emit_unless_stop(word);
        }
        i = j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_is_limited_and_read_no_further() {
        let text = "Wer hat Erfahrung mit Kinderwagen für Zwillinge?";
        let limit = 100 * text.len();
        // Exactly at the limit is fine.
        let topic = Topic::from_texts_with_limit(vec![text; 100], limit).unwrap();
        assert!(topic.relevance("Kinderwagen") > 0.99);
        // One byte more is an error, and the texts after it are never read.
        let mut read = 0;
        let texts = std::iter::repeat_n(text, 1_000_000).inspect(|_| read += 1);
        let err = Topic::from_texts_with_limit(texts, limit).unwrap_err();
        assert!(matches!(err, Error::Input(_)), "{err:?}");
        assert!(
            err.to_string()
                .contains(&format!("more than {limit} bytes")),
            "{err}"
        );
        assert_eq!(read, 101);
    }

    #[test]
    fn json_round_trip_keeps_relevance_on_a_real_group() {
        let chat = include_str!("../../examples/topic-muetter-austausch.txt");
        let topic = Topic::from_texts(chat.lines()).unwrap();
        let again = Topic::from_json(&topic.to_json()).unwrap();
        assert_eq!(again.to_json(), topic.to_json());
        assert_eq!(again.keywords(10), topic.keywords(10));
        for text in [
            "Verkaufe gut erhaltenen Kinderwagen, kaum benutzt",
            "Neuer Lippenstift im Angebot, jetzt bestellen",
            "Hat jemand Tipps gegen Koliken?",
            "🎉🎉",
        ] {
            assert_eq!(again.relevance(text), topic.relevance(text), "{text}");
        }
    }

    #[test]
    fn json_errors_name_the_field() {
        let field = |json: &str| match Topic::from_json(json).unwrap_err() {
            Error::Json { field, .. } => field,
            other => panic!("{other:?}"),
        };
        let ok = r#"{"format": "sendlint-topic", "version": 1, "words": {"kinderwagen": 2}}"#;
        assert!(Topic::from_json(ok).is_ok());
        assert_eq!(field(&ok.replace("1,", "2,")).as_deref(), Some("version"));
        assert_eq!(
            field(&ok.replace("sendlint-topic", "x")).as_deref(),
            Some("format")
        );
        assert_eq!(
            field(&ok.replace(": 2}", ": -2}")).as_deref(),
            Some("words.kinderwagen")
        );
        assert_eq!(
            field(&ok.replace(": 2}", ": 0}")).as_deref(),
            Some("words.kinderwagen")
        );
        assert_eq!(field("{\"format\": 1"), Some("format".to_owned()));
        assert_eq!(field("nonsense"), None);
    }

    #[test]
    #[cfg_attr(
        miri,
        ignore = "builds and scans a text over the 4 MiB input limit: too slow under Miri"
    )]
    fn default_limit_applies_to_texts_and_keywords() {
        let huge = "Kinderwagen ".repeat(Topic::MAX_INPUT_BYTES / 12 + 1);
        assert!(huge.len() > Topic::MAX_INPUT_BYTES);
        assert!(Topic::from_texts([huge.as_str()]).is_err());
        assert!(Topic::from_keywords([huge.as_str()]).is_err());
    }
}
