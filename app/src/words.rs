//! Every sentence a citizen reads, from the word files: `app/words/id.txt`,
//! `en.txt` and `ban.txt`, one `KEY = text` line each, which a translator
//! reviews and corrects without reading code (the build writes them into
//! [`Word`]; see `build.rs`).
//!
//! The server carries every language. The widget carries none: the loader
//! fetches the page's language (the widget's lines of one file, in
//! [`Word`] order) with the bundle, and another one when the citizen
//! switches; [`install`] takes them in.

use crate::api::Locale;

include!(concat!(env!("OUT_DIR"), "/words.rs"));

impl Locale {
    /// The language's place in the tables.
    fn index(self) -> usize {
        match self {
            Locale::Id => 0,
            Locale::En => 1,
            Locale::Ban => 2,
        }
    }
}

impl Word {
    /// The word's key in the word files.
    pub fn key(self) -> &'static str {
        KEYS[self as usize]
    }

    /// The text in `locale`.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn text(self, locale: Locale) -> &'static str {
        TABLES[locale.index()][self as usize]
    }

    /// The text in `locale`, or in a language that is installed when that
    /// one is not (yet); empty before any is.
    #[cfg(target_arch = "wasm32")]
    pub fn text(self, locale: Locale) -> &'static str {
        installed::text(self as usize, locale.index())
    }
}

impl Word {
    /// The text in `locale` with each `{name}` replaced by its value.
    /// One pass over the text: a value that itself holds `{…}` (a file's
    /// name, say) is never read as a placeholder.
    pub fn fill(self, locale: Locale, values: &[(&str, &str)]) -> String {
        // `split_once`, not indexing: no panic path to carry into the widget.
        let mut rest = self.text(locale);
        let mut out = String::with_capacity(rest.len());
        while let Some((before, after)) = rest.split_once('{') {
            out.push_str(before);
            let filled = after.split_once('}').and_then(|(name, tail)| {
                values
                    .iter()
                    .find(|(wanted, _)| *wanted == name)
                    .map(|(_, value)| (*value, tail))
            });
            match filled {
                Some((value, tail)) => {
                    out.push_str(value);
                    rest = tail;
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// One word of a script's section in `locale` (the server's pages say
/// what the scripts say); the key itself when there is no such word.
#[cfg(not(target_arch = "wasm32"))]
pub fn script_word(section: &str, key: &'static str, locale: Locale) -> &'static str {
    SCRIPT_WORDS
        .iter()
        .find(|(s, k, _)| *s == section && *k == key)
        .map_or(key, |(_, _, texts)| texts[locale.index()])
}

/// The widget's words in `locale`, as the widget takes them: one line each,
/// in [`Word`] order.
pub fn widget_lines(locale: Locale) -> &'static str {
    WIDGET_LINES[locale.index()]
}

/// The words of one script's section (`loader`, `attach`, `rate`,
/// `stats`) in `locale`: `(key, text)`.
#[cfg(not(target_arch = "wasm32"))]
pub fn script_words(section: &str, locale: Locale) -> Vec<(&'static str, &'static str)> {
    SCRIPT_WORDS
        .iter()
        .filter(|(s, _, _)| *s == section)
        .map(|(_, key, texts)| (*key, texts[locale.index()]))
        .collect()
}

/// The keys `locale`'s file lacks (shown in Indonesian meanwhile).
pub fn missing(locale: Locale) -> &'static [&'static str] {
    MISSING[locale.index()]
}

/// Takes in the widget's words for `locale` (see [`widget_lines`]); false
/// when they are not a whole set, and nothing changes then. (Native builds
/// carry every language and only check the set.)
pub fn install(locale: Locale, lines: &str) -> bool {
    #[cfg(target_arch = "wasm32")]
    return installed::install(locale.index(), lines);
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = locale;
        whole(lines)
    }
}

/// Whether `lines` are a whole set of the widget's words.
fn whole(lines: &str) -> bool {
    let mut count = 0;
    for line in lines.split('\n') {
        if line.is_empty() {
            return false;
        }
        count += 1;
    }
    count == WIDGET_WORDS
}

/// Whether the widget has `locale`'s words.
pub fn is_installed(locale: Locale) -> bool {
    #[cfg(target_arch = "wasm32")]
    return installed::has(locale.index());
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = locale;
        true
    }
}

#[cfg(target_arch = "wasm32")]
mod installed {
    use std::cell::RefCell;

    thread_local! {
        /// Each language's lines once installed; kept for the page's life
        /// (three languages at the most, a few kilobytes each).
        static TABLES: RefCell<[Option<&'static [&'static str]>; 3]> =
            const { RefCell::new([None; 3]) };
    }

    pub(super) fn install(index: usize, lines: &str) -> bool {
        if has(index) {
            return true;
        }
        if !super::whole(lines) {
            return false;
        }
        let text: &'static str = Box::leak(lines.to_owned().into_boxed_str());
        let table: &'static [&'static str] =
            Box::leak(text.split('\n').collect::<Vec<_>>().into_boxed_slice());
        TABLES.with(|t| t.borrow_mut()[index] = Some(table));
        true
    }

    pub(super) fn has(index: usize) -> bool {
        TABLES.with(|t| t.borrow()[index].is_some())
    }

    pub(super) fn text(word: usize, index: usize) -> &'static str {
        TABLES.with(|t| {
            let t = t.borrow();
            t[index]
                .or_else(|| t.iter().flatten().next().copied())
                .and_then(|table| table.get(word).copied())
                .unwrap_or_default()
        })
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_its_balinese_and_english_words() {
        assert_eq!(
            missing(Locale::Ban),
            &[] as &[&str],
            "app/words/ban.txt lacks these keys (each is shown in Indonesian until it has them)"
        );
        assert_eq!(missing(Locale::En), &[] as &[&str]);
        assert_eq!(missing(Locale::Id), &[] as &[&str]);
    }

    #[test]
    fn the_widget_gets_its_words_in_order_one_a_line() {
        for locale in Locale::ALL {
            let lines = widget_lines(locale);
            let split: Vec<&str> = lines.split('\n').collect();
            assert_eq!(split.len(), WIDGET_WORDS, "{locale:?}");
            assert_eq!(
                split[Word::FileTitle as usize],
                Word::FileTitle.text(locale)
            );
            assert!(split.iter().all(|l| !l.is_empty() && !l.contains('\r')));
        }
        // The widget's words come before the server's.
        assert!((Word::FileTitle as usize) < WIDGET_WORDS);
        assert!((Word::Required as usize) < WIDGET_WORDS);
        assert!((Word::Internal as usize) >= WIDGET_WORDS);
    }

    #[test]
    fn placeholders_are_filled_once_each() {
        let text =
            Word::FileTooLarge.fill(Locale::En, &[("file", "{limit}.jpg"), ("limit", "10 MB")]);
        assert_eq!(text, "“{limit}.jpg” is larger than 10 MB.");
        assert_eq!(
            Word::TooManyFiles.fill(Locale::Ban, &[("n", "5")]),
            "Pinih akéh 5 berkas ring asiki pesan."
        );
        // A placeholder without a value stays as written.
        assert_eq!(
            Word::TooManyFiles.fill(Locale::Id, &[]),
            Word::TooManyFiles.text(Locale::Id)
        );
    }

    #[test]
    fn only_a_whole_set_of_words_is_taken() {
        assert!(install(Locale::Ban, widget_lines(Locale::Ban)));
        let short = widget_lines(Locale::En);
        let short = short.rsplit_once('\n').map_or("", |(head, _)| head);
        assert!(!install(Locale::En, short));
        assert!(!install(
            Locale::En,
            &format!("{}\nextra", widget_lines(Locale::En))
        ));
        assert!(!install(
            Locale::En,
            &widget_lines(Locale::En).replacen('\n', "\n\n", 1)
        ));
        assert!(!install(Locale::En, ""));
    }

    #[test]
    fn the_languages_differ_and_keys_are_named() {
        assert_eq!(Word::FileTitle.key(), "FileTitle");
        assert_eq!(Word::ALL.len(), WORDS);
        for word in [Word::FileTitle, Word::Submit, Word::ReceiptTitle] {
            let [id, en, ban] = Locale::ALL.map(|l| word.text(l));
            assert!(
                id != en && id != ban && en != ban,
                "{word:?}: {id} / {en} / {ban}"
            );
        }
    }

    #[test]
    fn a_script_word_is_found_by_its_section_and_key() {
        assert_eq!(
            script_word("loader", "launcher", Locale::En),
            "File a complaint"
        );
        assert_eq!(
            script_word("loader", "launcher", Locale::Id),
            "Sampaikan pengaduan"
        );
        assert!(script_word("rate", "done", Locale::Ban).contains("{n}"));
        // Another section's key, or no such key: the key itself.
        assert_eq!(script_word("attach", "launcher", Locale::En), "launcher");
        assert_eq!(script_word("loader", "nothing", Locale::En), "nothing");
        let loader = script_words("loader", Locale::En);
        assert_eq!(
            loader.iter().find(|(k, _)| *k == "close"),
            Some(&("close", "Close"))
        );
        assert!(loader.iter().all(|(k, _)| !k.starts_with("files")));
        assert!(script_words("nothing", Locale::En).is_empty());
        // Native builds carry every language.
        assert!(Locale::ALL.into_iter().all(is_installed));
    }

    #[test]
    fn every_script_word_exists_in_every_language() {
        for section in ["loader", "files", "attach", "rate", "stats"] {
            let id = script_words(section, Locale::Id);
            assert!(!id.is_empty(), "[{section}]");
            for locale in Locale::ALL {
                let words = script_words(section, locale);
                assert_eq!(
                    words.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
                    id.iter().map(|(k, _)| *k).collect::<Vec<_>>()
                );
                assert!(words.iter().all(|(_, t)| !t.is_empty()));
            }
        }
    }
}
