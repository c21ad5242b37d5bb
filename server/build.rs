//! The migrations are compiled in (`sqlx::migrate!`): a new or changed file
//! under `migrations/` rebuilds the server.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
