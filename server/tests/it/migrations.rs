//! The two migration folders must hold the same versions.

use std::collections::BTreeSet;
use std::path::Path;

fn versions(dialect: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(dialect);
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".sql"))
        .collect()
}

#[test]
fn sqlite_and_postgres_migrations_have_the_same_versions() {
    let sqlite = versions("sqlite");
    let postgres = versions("postgres");
    assert!(!sqlite.is_empty(), "no SQLite migrations found");
    assert_eq!(sqlite, postgres, "the migration folders differ");
}
