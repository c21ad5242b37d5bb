//! Words an officer types into the console's search box, made into what
//! each engine's full-text index looks for, and the matches marked in what
//! the officer reads.
//!
//! Both engines fold the same way: lower case, and the Latin letters with
//! accents Indonesian and Balinese text meets (é, ě, ñ…) as their plain
//! letter. SQLite's FTS5 tokenizer does it itself (`unicode61
//! remove_diacritics 2`); PostgreSQL's index reads the text through
//! `aduan_fold`, a `translate` over [`ACCENTED`] and [`PLAIN`]
//! (migration `0020_search.sql`, checked against these by a test). Words
//! are whole words, but the last, which may be the start of one ("lubang"
//! finds "lubangnya"), as an officer types.

use maud::{Markup, PreEscaped};

/// The accented letters folded, and what each becomes ([`PLAIN`], the
/// same position).
pub const ACCENTED: &str = "ÀÁÂÃÄÅàáâãäåÈÉÊËèéêëĚěÌÍÎÏìíîïÒÓÔÕÖòóôõöÙÚÛÜùúûüÝýÿÑñÇçŠšŽžĀāĒēĪīŌōŪū";
pub const PLAIN: &str = "aaaaaaaaaaaaeeeeeeeeeeiiiiiiiioooooooooouuuuuuuuyyynnccsszzaaeeiioouu";

/// At most this many words are looked for; the rest are left out.
pub const MOST_WORDS: usize = 8;
/// A word longer than this is cut to it.
const LONGEST_WORD: usize = 40;

/// One character as the indexes compare it.
fn fold_char(c: char) -> char {
    match ACCENTED.chars().position(|a| a == c) {
        Some(i) => PLAIN.chars().nth(i).unwrap_or(c),
        None => c.to_lowercase().next().unwrap_or(c),
    }
}

/// The words of `typed`, folded: letters and digits only (nothing the
/// engines' query languages read as an operator), each once, in order.
pub fn terms(typed: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let folded: String = typed
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                fold_char(c)
            } else {
                ' '
            }
        })
        .collect();
    for word in folded.split_whitespace() {
        let word: String = word.chars().take(LONGEST_WORD).collect();
        if !words.contains(&word) {
            words.push(word);
        }
        if words.len() == MOST_WORDS {
            break;
        }
    }
    words
}

/// Whether the term at `i` of `n` is looked for as the start of a word:
/// only the last, the one the officer may still be typing. The others are
/// whole words (a prefix reads every word it begins in the index: a
/// common one is too slow among a million complaints).
fn is_prefix(i: usize, n: usize) -> bool {
    i + 1 == n
}

/// The terms as an FTS5 query: each quoted, the last a prefix, all of them
/// wanted.
pub fn fts5_query(terms: &[String]) -> String {
    terms
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if is_prefix(i, terms.len()) {
                format!("\"{t}\"*")
            } else {
                format!("\"{t}\"")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A slug as one word of a scope's (see [`scope_words`]): its letters and
/// digits.
fn squash(slug: &str) -> String {
    slug.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

/// A scope as the words both engines index with each complaint (migration
/// 0020): its region (`rREGION`) or its region's unit (`uREGIONxUNIT`), and
/// `open` when confidential complaints are out of it.
fn scope_words(region: Option<&str>, unit: Option<&str>, confidential: bool) -> Vec<String> {
    let mut words = Vec::new();
    match (region, unit) {
        (Some(r), Some(u)) => words.push(format!("u{}x{}", squash(r), squash(u))),
        (Some(r), None) => words.push(format!("r{}", squash(r))),
        _ => {}
    }
    if !confidential {
        words.push("open".to_owned());
    }
    words
}

/// The terms in a complaint's own text, within a scope, as an FTS5 query
/// over `complaint_words`: the scope's words (column `search_scope`)
/// narrow it in the index itself.
pub fn fts5_scoped(
    terms: &[String],
    region: Option<&str>,
    unit: Option<&str>,
    confidential: bool,
) -> String {
    let mut query = format!(
        "{{title description location landmark}} : ({})",
        fts5_query(terms)
    );
    for word in scope_words(region, unit, confidential) {
        query.push_str(&format!(" AND search_scope : \"{word}\""));
    }
    query
}

/// The terms within a scope as a PostgreSQL `tsquery` over a complaint's
/// `words`, whose scope's words (weight D) narrow it in the index itself.
pub fn tsquery_scoped(
    terms: &[String],
    region: Option<&str>,
    unit: Option<&str>,
    confidential: bool,
) -> String {
    let mut query = tsquery(terms);
    for word in scope_words(region, unit, confidential) {
        query.push_str(&format!(" & {word}:D"));
    }
    query
}

/// The terms as a PostgreSQL `tsquery` (configuration `simple`): the last
/// a prefix, all of them wanted.
pub fn tsquery(terms: &[String]) -> String {
    terms
        .iter()
        .enumerate()
        .map(|(i, t)| {
            if is_prefix(i, terms.len()) {
                format!("{t}:*")
            } else {
                t.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

/// The runs of letters and digits of `text`: byte start, byte end.
fn words(text: &str) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push((s, text.len()));
    }
    runs
}

/// How many characters at the start of the word `text[start..end]` a term
/// matches as the search does (the last term the start of a word, the
/// others a whole word; the longest), if any does.
fn matched(text: &str, (start, end): (usize, usize), terms: &[String]) -> Option<usize> {
    let folded: Vec<char> = text[start..end].chars().map(fold_char).collect();
    terms
        .iter()
        .enumerate()
        .map(|(i, t)| (is_prefix(i, terms.len()), t.chars().collect::<Vec<_>>()))
        .filter(|(prefix, t)| {
            !t.is_empty()
                && if *prefix {
                    folded.starts_with(t)
                } else {
                    folded == *t
                }
        })
        .map(|(_, t)| t.len())
        .max()
}

/// `text`, escaped, with the part of each word a term matches in `<mark>`.
pub fn highlight(text: &str, terms: &[String]) -> Markup {
    let mut out = String::new();
    let mut at = 0;
    for run in words(text) {
        let Some(n) = matched(text, run, terms) else {
            continue;
        };
        let mark_end = text[run.0..]
            .char_indices()
            .nth(n)
            .map_or(run.1, |(i, _)| run.0 + i);
        out.push_str(&maud::html! { (text[at..run.0]) }.into_string());
        out.push_str("<mark>");
        out.push_str(&maud::html! { (text[run.0..mark_end]) }.into_string());
        out.push_str("</mark>");
        at = mark_end;
    }
    out.push_str(&maud::html! { (text[at..]) }.into_string());
    PreEscaped(out)
}

/// About `width` characters of `text` around its first match, marked, with
/// "…" where it was cut; `None` when no word of it matches.
pub fn snippet(text: &str, terms: &[String], width: usize) -> Option<Markup> {
    let runs = words(text);
    let first = runs.iter().find(|r| matched(text, **r, terms).is_some())?;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let at = chars.iter().position(|(i, _)| *i == first.0).unwrap_or(0);
    let from = at.saturating_sub(width / 3);
    let to = (from + width).min(chars.len());
    let byte = |i: usize| chars.get(i).map_or(text.len(), |(b, _)| *b);
    let part = &text[byte(from)..byte(to)];
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    out.push_str(&highlight(part, terms).into_string());
    if to < chars.len() {
        out.push('…');
    }
    Some(PreEscaped(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_accents_fold_one_for_one() {
        assert_eq!(ACCENTED.chars().count(), PLAIN.chars().count());
        for (a, p) in ACCENTED.chars().zip(PLAIN.chars()) {
            assert_eq!(fold_char(a), p, "{a}");
            assert!(p.is_ascii_lowercase());
        }
        assert_eq!(fold_char('Q'), 'q');
        assert_eq!(fold_char('7'), '7');
    }

    #[test]
    fn postgresql_folds_the_same_letters() {
        let migration = include_str!("../../migrations/postgres/0020_search.sql");
        assert!(
            migration.contains(&format!("translate(lower($1), '{ACCENTED}', '{PLAIN}')")),
            "aduan_fold in migrations/postgres/0020_search.sql must fold ACCENTED to PLAIN"
        );
    }

    #[test]
    fn typed_words_become_folded_terms_without_operators() {
        assert_eq!(
            terms("  Lubang BESAR, di Jl. Pélabuhan-Benoa!  lubang "),
            ["lubang", "besar", "di", "jl", "pelabuhan", "benoa"]
        );
        assert_eq!(
            terms("\"x\" OR y* -(z) & a:b | 'c'"),
            ["x", "or", "y", "z", "a", "b", "c"]
        );
        assert!(terms(" ,.;-* ").is_empty());
        assert_eq!(terms("a b c d e f g h i j").len(), MOST_WORDS);
        assert_eq!(terms(&"x".repeat(99))[0].len(), 40);
        let t = terms("Pélabuhan 2");
        assert_eq!(fts5_query(&t), "\"pelabuhan\" \"2\"*");
        let cols = "{title description location landmark} : (\"pelabuhan\" \"2\"*)";
        assert_eq!(
            fts5_scoped(&t, Some("badung"), Some("saber-pungli"), true),
            format!("{cols} AND search_scope : \"ubadungxsaberpungli\"")
        );
        assert_eq!(
            fts5_scoped(&t, Some("kota-denpasar"), None, false),
            format!("{cols} AND search_scope : \"rkotadenpasar\" AND search_scope : \"open\"")
        );
        assert_eq!(fts5_scoped(&t, None, None, true), cols);
        assert_eq!(
            tsquery_scoped(&t, Some("badung"), Some("saber-pungli"), false),
            "pelabuhan & 2:* & ubadungxsaberpungli:D & open:D"
        );
        assert_eq!(
            tsquery_scoped(&t, Some("bali"), None, true),
            "pelabuhan & 2:* & rbali:D"
        );
        assert_eq!(tsquery(&t), "pelabuhan & 2:*");
        assert_eq!(tsquery(&terms("lubang")), "lubang:*");
        assert!(fts5_query(&[]).is_empty() && tsquery(&[]).is_empty());
    }

    #[test]
    fn matches_are_marked_as_the_search_finds_them_and_the_rest_escaped() {
        let t = terms("lubang pelab");
        assert_eq!(
            highlight("Lubang <besar> di Pélabuhan & Jalan-lubang, lubangnya", &t).into_string(),
            "<mark>Lubang</mark> &lt;besar&gt; di <mark>Pélab</mark>uhan &amp; Jalan-<mark>lubang</mark>, lubangnya"
        );
        // Inside a word is no match; the last word typed may be the start of one.
        assert_eq!(highlight("berlubang", &t).into_string(), "berlubang");
        assert_eq!(
            highlight("lubangnya", &terms("lubang")).into_string(),
            "<mark>lubang</mark>nya"
        );
        assert_eq!(highlight("", &t).into_string(), "");
        assert_eq!(highlight("lubang", &[]).into_string(), "lubang");
    }

    #[test]
    fn a_snippet_is_cut_around_the_first_match() {
        let t = terms("sampah");
        let text = format!("{} sampah menumpuk {}", "a".repeat(100), "b".repeat(100));
        let s = snippet(&text, &t, 60).expect("a match").into_string();
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("<mark>sampah</mark> menumpuk"), "{s}");
        assert_eq!(
            s.chars().filter(|c| *c != '…').count() - "<mark></mark>".len(),
            60
        );
        assert!(snippet("tidak ada", &t, 60).is_none());
        assert_eq!(
            snippet("Sampah.", &t, 60)
                .map(Markup::into_string)
                .as_deref(),
            Some("<mark>Sampah</mark>.")
        );
    }
}
