//! Reads the word files (`words/id.txt`, `en.txt`, `ban.txt`) and writes
//! the `Word` enum and, for native builds, the tables of every language.
//!
//! `id.txt` names every key and its order. A key the other files do not
//! know is a typo and stops the build; so does a translation that drops or
//! invents a `{placeholder}`. A key missing from English stops the build;
//! one missing from Balinese falls back to Indonesian and is listed in
//! `MISSING`, which a test requires to be empty.
//!
//! Sections (`[widget]`, `[server]`) order the keys: the widget's words
//! come first, so the widget is sent only those. Sections whose names are
//! not `widget` or `server` belong to the scripts around the widget (the
//! loader, attachments, rating, the public record); they are not Rust
//! words, and `xtask dist` writes them into those scripts.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

const LANGUAGES: [&str; 3] = ["id", "en", "ban"];

struct Entry {
    section: String,
    key: String,
    text: String,
    line: usize,
}

fn parse(path: &Path) -> Vec<Entry> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut section = String::new();
    let mut entries = Vec::new();
    let mut seen = BTreeSet::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.trim().to_owned();
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            panic!(
                "{}:{}: a line is `KEY = text`: {line}",
                path.display(),
                n + 1
            );
        };
        let key = key.trim();
        assert!(
            !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "{}:{}: `{key}` is not a key",
            path.display(),
            n + 1
        );
        assert!(
            !section.is_empty(),
            "{}:{}: a key before any [section]",
            path.display(),
            n + 1
        );
        assert!(
            seen.insert((section.clone(), key.to_owned())),
            "{}:{}: `{key}` twice in [{section}]",
            path.display(),
            n + 1
        );
        let value = value.trim();
        assert!(
            !value.is_empty(),
            "{}:{}: `{key}` has no text",
            path.display(),
            n + 1
        );
        entries.push(Entry {
            section: section.clone(),
            key: key.to_owned(),
            text: value.to_owned(),
            line: n + 1,
        });
    }
    entries
}

fn placeholders(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        found.insert(rest[start..start + end + 1].to_owned());
        rest = &rest[start + end + 1..];
    }
    found
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("words");
    println!("cargo::rerun-if-changed={}", dir.display());
    let files: Vec<Vec<Entry>> = LANGUAGES
        .iter()
        .map(|l| {
            let path = dir.join(format!("{l}.txt"));
            println!("cargo::rerun-if-changed={}", path.display());
            parse(&path)
        })
        .collect();
    let master = &files[0];
    let index: BTreeMap<(&str, &str), usize> = master
        .iter()
        .enumerate()
        .map(|(i, e)| ((e.section.as_str(), e.key.as_str()), i))
        .collect();
    // Every translation: a known key, the same placeholders.
    let mut tables: Vec<Vec<Option<&str>>> = Vec::new();
    for (lang, entries) in LANGUAGES.iter().zip(&files) {
        let mut table = vec![None; master.len()];
        for e in entries {
            let Some(&i) = index.get(&(e.section.as_str(), e.key.as_str())) else {
                panic!(
                    "words/{lang}.txt:{}: [{}] {} is not in words/id.txt",
                    e.line, e.section, e.key
                );
            };
            assert_eq!(
                placeholders(&e.text),
                placeholders(&master[i].text),
                "words/{lang}.txt:{}: {} must keep the placeholders of words/id.txt",
                e.line,
                e.key
            );
            table[i] = Some(e.text.as_str());
        }
        tables.push(table);
    }
    for (i, e) in master.iter().enumerate() {
        assert!(
            tables[1][i].is_some(),
            "words/en.txt lacks [{}] {}",
            e.section,
            e.key
        );
    }

    // The Rust words: [widget] first, then [server].
    let rust: Vec<usize> = master
        .iter()
        .enumerate()
        .filter(|(_, e)| e.section == "widget")
        .chain(
            master
                .iter()
                .enumerate()
                .filter(|(_, e)| e.section == "server"),
        )
        .map(|(i, _)| i)
        .collect();
    let widget = master.iter().filter(|e| e.section == "widget").count();
    let mut out = String::new();
    out.push_str(
        "/// A piece of text a citizen, a client program or an officer reads:\n\
         /// one line of the word files (`app/words/*.txt`).\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]\n\
         pub enum Word {\n",
    );
    for &i in &rust {
        let _ = writeln!(out, "    {},", master[i].key);
    }
    out.push_str("}\n\n");
    let _ = writeln!(
        out,
        "/// How many words there are; the first [`WIDGET_WORDS`] are the widget's.\npub const WORDS: usize = {};",
        rust.len()
    );
    let _ = writeln!(
        out,
        "/// How many of the words the widget shows (they come first).\npub const WIDGET_WORDS: usize = {widget};"
    );
    out.push_str(
        "impl Word {\n    /// Every word, in order.\n    pub const ALL: [Word; WORDS] = [\n",
    );
    for &i in &rust {
        let _ = writeln!(out, "        Word::{},", master[i].key);
    }
    out.push_str("    ];\n}\n\n");
    out.push_str("/// Each word's key in the word files.\npub const KEYS: [&str; WORDS] = [\n");
    for &i in &rust {
        let _ = writeln!(out, "    {:?},", master[i].key);
    }
    out.push_str("];\n\n");
    out.push_str(
        "/// Every language's words, by [`Locale`] then [`Word`]; a missing\n\
         /// translation holds the Indonesian text.\n\
         #[cfg(not(target_arch = \"wasm32\"))]\n\
         pub(crate) static TABLES: [[&str; WORDS]; 3] = [\n",
    );
    for table in &tables {
        out.push_str("    [\n");
        for &i in &rust {
            let text = table[i].or(tables[0][i]).unwrap_or_default();
            let _ = writeln!(out, "        {text:?},");
        }
        out.push_str("    ],\n");
    }
    out.push_str("];\n\n");
    // The same words as the widget takes them: one line each. Built for
    // every target; the widget itself never refers to them, so they stay
    // out of its bundle (its tests use them).
    out.push_str(
        "/// The widget's words of each language, one a line in [`Word`] order,\n\
         /// by [`Locale`].\n\
         pub static WIDGET_LINES: [&str; 3] = [\n",
    );
    for table in &tables {
        let lines: Vec<&str> = rust[..widget]
            .iter()
            .map(|&i| table[i].or(tables[0][i]).unwrap_or_default())
            .collect();
        let _ = writeln!(out, "    {:?},", lines.join("\n"));
    }
    out.push_str("];\n\n");
    // The scripts' sections, whole.
    out.push_str(
        "/// The scripts' words: `(section, key, [id, en, ban])`, a missing\n\
         /// translation holding the Indonesian text.\n\
         #[cfg(not(target_arch = \"wasm32\"))]\n\
         pub static SCRIPT_WORDS: &[(&str, &str, [&str; 3])] = &[\n",
    );
    for (i, e) in master.iter().enumerate() {
        if e.section == "widget" || e.section == "server" {
            continue;
        }
        let texts: Vec<String> = tables
            .iter()
            .map(|t| format!("{:?}", t[i].or(tables[0][i]).unwrap_or_default()))
            .collect();
        let _ = writeln!(
            out,
            "    ({:?}, {:?}, [{}]),",
            e.section,
            e.key,
            texts.join(", ")
        );
    }
    out.push_str("];\n\n");
    out.push_str(
        "/// The keys each language lacks (`[section] key`), by [`Locale`].\n\
         pub const MISSING: [&[&str]; 3] = [\n",
    );
    for table in &tables {
        let missing: Vec<String> = master
            .iter()
            .enumerate()
            .filter(|(i, _)| table[*i].is_none())
            .map(|(_, e)| format!("{:?}", format!("[{}] {}", e.section, e.key)))
            .collect();
        let _ = writeln!(out, "    &[{}],", missing.join(", "));
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("words.rs");
    std::fs::write(&target, out).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
}
