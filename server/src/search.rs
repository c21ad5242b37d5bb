//! The console's search: the words and their scoring are
//! [`aduan_app::search`]'s (shared, and tested there); here the matches
//! are marked as the console's markup.

pub use aduan_app::search::{
    ACCENTED, MOST_WORDS, PLAIN, fts5_query, fts5_scoped, score, terms, tsquery, tsquery_scoped,
};
use maud::{Markup, PreEscaped};

/// `text`, escaped, with the part of each word a term matches in `<mark>`.
pub fn highlight(text: &str, terms: &[String]) -> Markup {
    PreEscaped(aduan_app::search::highlight(text, terms))
}

/// About `width` characters of `text` around its first match, marked.
pub fn snippet(text: &str, terms: &[String], width: usize) -> Option<Markup> {
    aduan_app::search::snippet(text, terms, width).map(PreEscaped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgresql_folds_the_same_letters() {
        let migration = include_str!("../../migrations/postgres/0020_search.sql");
        assert!(
            migration.contains(&format!("translate(lower($1), '{ACCENTED}', '{PLAIN}')")),
            "aduan_fold in migrations/postgres/0020_search.sql must fold ACCENTED to PLAIN"
        );
    }
}
