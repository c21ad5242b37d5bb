//! Words an officer types into the console's search box, made into what
//! each engine's full-text index looks for, each complaint found scored by
//! its own words alone, and the matches marked in what the officer reads.
//!
//! Both engines fold the same way: lower case, and the Latin letters with
//! accents Indonesian and Balinese text meets (é, ě, ñ…) as their plain
//! letter. SQLite's FTS5 tokenizer does it itself (`unicode61
//! remove_diacritics 2`); PostgreSQL's index reads the text through
//! `aduan_fold`, a `translate` over [`ACCENTED`] and [`PLAIN`]
//! (migration `0020_search.sql`, checked against these by a test). Words
//! are whole words, but the last, which may be the start of one ("lubang"
//! finds "lubangnya"), as an officer types. A word is made of plain Latin
//! letters, the accented ones above, and digits; anything else separates
//! words (so no sign can join two words into a phrase).
//!
//! The score ([`score`]) reads only the complaint scored: a ranking that
//! counted words over every complaint (as BM25 does) would tell an
//! officer about complaints outside their scope.

use crate::markup::escape_into;

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
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    match ACCENTED.chars().position(|a| a == c) {
        Some(i) => PLAIN.chars().nth(i).unwrap_or(c),
        None => c.to_ascii_lowercase(),
    }
}

/// Whether `c` is part of a word: a plain letter or digit, or one of the
/// accented letters folded.
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || (!c.is_ascii() && ACCENTED.contains(c))
}

/// The words of `typed`, folded: letters and digits only (nothing the
/// engines' query languages read as an operator, nothing that joins two
/// words), each once, in order.
pub fn terms(typed: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let folded: String = typed
        .chars()
        .map(|c| if is_word_char(c) { fold_char(c) } else { ' ' })
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
    fts5_terms(terms, true)
}

/// The terms as an FTS5 query, the last a prefix when `prefix_last`.
fn fts5_terms(terms: &[String], prefix_last: bool) -> String {
    join_terms(terms, prefix_last, " ", |t, prefix| {
        if prefix {
            format!("\"{t}\"*")
        } else {
            format!("\"{t}\"")
        }
    })
}

/// Each term in an engine's form (`form(term, as a prefix)`), joined by
/// `and`; the last a prefix when `prefix_last`.
fn join_terms(
    terms: &[String],
    prefix_last: bool,
    and: &str,
    form: impl Fn(&str, bool) -> String,
) -> String {
    terms
        .iter()
        .enumerate()
        .map(|(i, t)| form(t, prefix_last && is_prefix(i, terms.len())))
        .collect::<Vec<_>>()
        .join(and)
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
    prefix_last: bool,
) -> String {
    let mut query = format!(
        "{{title description location landmark}} : ({})",
        fts5_terms(terms, prefix_last)
    );
    for word in scope_words(region, unit, confidential) {
        query.push_str(&format!(" AND search_scope : \"{word}\""));
    }
    query
}

/// The terms within a scope as a PostgreSQL `tsquery` (its input form, as
/// given, no parser) over a complaint's `words`, whose scope's lexemes
/// (`scope:…`, which no folded word can be: a word has no colon) narrow it
/// in the index itself, with nothing to recheck in each candidate.
pub fn tsquery_scoped(
    terms: &[String],
    region: Option<&str>,
    unit: Option<&str>,
    confidential: bool,
    prefix_last: bool,
) -> String {
    let mut query = ts_terms(terms, prefix_last);
    for word in scope_words(region, unit, confidential) {
        query.push_str(&format!(" & 'scope:{word}'"));
    }
    query
}

/// The terms as a PostgreSQL `tsquery` (configuration `simple`): the last
/// a prefix, all of them wanted.
pub fn tsquery(terms: &[String]) -> String {
    ts_terms(terms, true)
}

/// The terms as a `tsquery`, the last a prefix when `prefix_last`.
fn ts_terms(terms: &[String], prefix_last: bool) -> String {
    join_terms(terms, prefix_last, " & ", |t, prefix| {
        if prefix {
            format!("{t}:*")
        } else {
            t.to_owned()
        }
    })
}

/// The runs of letters and digits of `text`: byte start, byte end.
fn words(text: &str) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (is_word_char(c), start) {
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
        .filter(|(i, t)| hit(&folded, t, is_prefix(*i, terms.len())))
        .map(|(_, t)| t.chars().count())
        .max()
}

/// Whether the folded word `folded` is the term (or begins with it, for a
/// `prefix`).
fn hit(folded: &[char], term: &str, prefix: bool) -> bool {
    let term: Vec<char> = term.chars().collect();
    !term.is_empty()
        && if prefix {
            folded.starts_with(&term)
        } else {
            folded == term.as_slice()
        }
}

/// `text`, escaped, with the part of each word a term matches in `<mark>`.
pub fn highlight(text: &str, terms: &[String]) -> String {
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
        escape_into(&mut out, &text[at..run.0]);
        out.push_str("<mark>");
        escape_into(&mut out, &text[run.0..mark_end]);
        out.push_str("</mark>");
        at = mark_end;
    }
    escape_into(&mut out, &text[at..]);
    out
}

/// About `width` characters of `text` around its first match, marked, with
/// "…" where it was cut; `None` when no word of it matches.
pub fn snippet(text: &str, terms: &[String], width: usize) -> Option<String> {
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
    out.push_str(&highlight(part, terms));
    if to < chars.len() {
        out.push('…');
    }
    Some(out)
}

/// How many of the terms `text` has (as the search matches them).
fn hits(text: &str, terms: &[String]) -> u32 {
    let words: Vec<Vec<char>> = words(text)
        .into_iter()
        .map(|(start, end)| text[start..end].chars().map(fold_char).collect())
        .collect();
    let found = terms.iter().enumerate().filter(|(i, t)| {
        let prefix = is_prefix(*i, terms.len());
        words.iter().any(|w| hit(w, t, prefix))
    });
    u32::try_from(found.count()).unwrap_or(u32::MAX)
}

/// A complaint's score for the terms, from its own words alone: each term
/// in the title counts 8, in the place 3, in the description 1. Higher is
/// better.
pub fn score(title: &str, place: &str, description: &str, terms: &[String]) -> u32 {
    8 * hits(title, terms) + 3 * hits(place, terms) + hits(description, terms)
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
            fts5_scoped(&t, Some("badung"), Some("saber-pungli"), true, true),
            format!("{cols} AND search_scope : \"ubadungxsaberpungli\"")
        );
        // The last word whole: no prefix anywhere.
        assert_eq!(
            fts5_scoped(&t, Some("badung"), Some("saber-pungli"), true, false),
            "{title description location landmark} : (\"pelabuhan\" \"2\") AND search_scope : \"ubadungxsaberpungli\""
        );
        assert_eq!(
            fts5_scoped(&t, Some("kota-denpasar"), None, false, true),
            format!("{cols} AND search_scope : \"rkotadenpasar\" AND search_scope : \"open\"")
        );
        assert_eq!(fts5_scoped(&t, None, None, true, true), cols);
        assert_eq!(
            tsquery_scoped(&t, Some("badung"), Some("saber-pungli"), false, true),
            "pelabuhan & 2:* & 'scope:ubadungxsaberpungli' & 'scope:open'"
        );
        assert_eq!(
            tsquery_scoped(&t, Some("badung"), Some("saber-pungli"), false, false),
            "pelabuhan & 2 & 'scope:ubadungxsaberpungli' & 'scope:open'"
        );
        assert_eq!(
            tsquery_scoped(&t, Some("bali"), None, true, true),
            "pelabuhan & 2:* & 'scope:rbali'"
        );
        assert_eq!(tsquery(&t), "pelabuhan & 2:*");
        assert_eq!(tsquery(&terms("lubang")), "lubang:*");
        assert!(fts5_query(&[]).is_empty() && tsquery(&[]).is_empty());
    }

    #[test]
    fn matches_are_marked_as_the_search_finds_them_and_the_rest_escaped() {
        let t = terms("lubang pelab");
        assert_eq!(
            highlight("Lubang <besar> di Pélabuhan & Jalan-lubang, lubangnya", &t),
            "<mark>Lubang</mark> &lt;besar&gt; di <mark>Pélab</mark>uhan &amp; Jalan-<mark>lubang</mark>, lubangnya"
        );
        // Inside a word is no match; the last word typed may be the start of one.
        assert_eq!(highlight("berlubang", &t), "berlubang");
        assert_eq!(
            highlight("lubangnya", &terms("lubang")),
            "<mark>lubang</mark>nya"
        );
        assert_eq!(highlight("", &t), "");
        assert_eq!(highlight("lubang", &[]), "lubang");
    }

    #[test]
    fn only_letters_and_digits_make_words() {
        // A sign that another tokenizer might read as a letter joins nothing.
        assert_eq!(terms("made\u{24D0}sukarta ß"), ["made", "sukarta"]);
        assert_eq!(
            highlight("made\u{24D0}sukarta", &terms("sukarta")),
            "made\u{24D0}<mark>sukarta</mark>"
        );
        assert!(is_word_char('é') && is_word_char('7') && !is_word_char('_') && !is_word_char('ⓐ'));
    }

    #[test]
    fn a_complaint_scores_by_its_own_words_where_they_are() {
        let t = terms("lubang pasar");
        // Title 8, place 3, description 1, for each term found there.
        assert_eq!(
            score(
                "Lubang di jalan",
                "Pasar Kuta",
                "lubang besar dekat pasar",
                &t
            ),
            8 + 3 + 2
        );
        assert_eq!(score("", "", "lubang dekat pasarnya", &t), 2);
        assert_eq!(
            score("", "", "lubangnya dekat pasar", &t),
            1,
            "only the last term may begin a word"
        );
        assert_eq!(score("Jalan rusak", "", "", &t), 0);
        assert_eq!(
            score("lubang lubang lubang", "", "", &t),
            8,
            "a term counts once a field"
        );
        assert!(score("lubang", "", "", &t) > score("", "lubang", "", &t));
        assert!(score("", "lubang", "", &t) > score("", "", "lubang", &t));
    }

    #[test]
    fn a_snippet_is_cut_around_the_first_match() {
        let t = terms("sampah");
        let text = format!("{} sampah menumpuk {}", "a".repeat(100), "b".repeat(100));
        let s = snippet(&text, &t, 60).expect("a match");
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("<mark>sampah</mark> menumpuk"), "{s}");
        // A third of it comes before the match.
        assert!(s.starts_with(&format!("…{} <mark>", "a".repeat(19))), "{s}");
        assert_eq!(
            s.chars().filter(|c| *c != '…').count() - "<mark></mark>".len(),
            60
        );
        assert!(snippet("tidak ada", &t, 60).is_none());
        assert_eq!(
            snippet("Sampah.", &t, 60).as_deref(),
            Some("<mark>Sampah</mark>.")
        );
    }
}
