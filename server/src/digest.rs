//! Saved views and the daily digest.
//!
//! An officer names a filter of their inbox (a view) and may put it in
//! their daily e-mail digest, sent at the time they chose (the region's
//! time). An officer who asked for the digest instead of single e-mails
//! gets their inbox in it when no view is. The digest is written once per
//! officer and day however many processes run the clock: the store keeps
//! the day it was written, and only the process that records it queues
//! the e-mail. What each line carries is what an officer's e-mail may
//! ([`crate::disclosure`]); the reporter never appears.

use aduan_app::api::Status;
use aduan_app::date::Date;

use crate::domain::catalog::Catalog;
use crate::domain::lifecycle::Role;
use crate::mail::{Mail, MailContext};
use crate::routes::console::{InboxFilters, Sought};
use crate::state::AppState;
use crate::store::{DigestDue, InboxRow, SavedView, StoreError};

/// Complaints listed per view in a digest, at most.
pub const DIGEST_ROWS: i64 = 20;
/// Views an officer may keep.
pub const VIEWS_MAX: usize = 20;
/// The longest view name, in characters.
pub const VIEW_NAME_MAX: usize = 60;
/// Days the mark of a digest written is kept: it is read on its own day
/// only, and two days cover that day in any region's time.
pub const KEEP_RUNS_DAYS: i64 = 2;

/// An officer's e-mail preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailPref {
    /// An e-mail for each complaint to act on (and the digest, if a view
    /// is in it).
    Immediate,
    /// Only the daily digest.
    Digest,
    /// No e-mail at all.
    Off,
}

impl MailPref {
    pub const ALL: [MailPref; 3] = [MailPref::Immediate, MailPref::Digest, MailPref::Off];

    pub fn key(self) -> &'static str {
        match self {
            MailPref::Immediate => "immediate",
            MailPref::Digest => "digest",
            MailPref::Off => "off",
        }
    }

    pub fn from_key(key: &str) -> Option<MailPref> {
        MailPref::ALL.into_iter().find(|p| p.key() == key)
    }
}

/// A time of day as `HH:MM` (24 hours), or `None`.
pub fn time_of_day(typed: &str) -> Option<String> {
    let (h, m) = typed.trim().split_once(':')?;
    let (h, m): (u8, u8) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then(|| format!("{h:02}:{m:02}"))
}

/// The local date and time (`HH:MM`) at `now_ms`, `offset` minutes from UTC.
pub fn local_now(now_ms: i64, offset_minutes: i32) -> (Date, String) {
    let local_min = (now_ms.div_euclid(60_000) + i64::from(offset_minutes)).rem_euclid(1440);
    (
        Date::at(now_ms, offset_minutes),
        format!("{:02}:{:02}", local_min / 60, local_min % 60),
    )
}

/// A view's name, trimmed, or why not.
pub fn view_name(typed: &str) -> Result<String, &'static str> {
    let name = typed.split_whitespace().collect::<Vec<_>>().join(" ");
    match name.chars().count() {
        0 => Err("empty"),
        n if n > VIEW_NAME_MAX => Err("long"),
        _ => Ok(name),
    }
}

/// One view's part of a digest: its name, its link's query and its rows.
#[derive(Debug)]
pub struct Section {
    pub name: String,
    pub query: String,
    pub rows: Vec<InboxRow>,
}

/// The digest e-mail: each view with its complaints (code, title as an
/// officer's e-mail may carry it, state, due date) and its link.
pub fn digest_mail(ctx: &MailContext, to: &str, day: &str, sections: &[Section]) -> Mail {
    let mut body = format!("Ringkasan harian Aduan / Aduan daily digest · {day}\n");
    for s in sections {
        let shown = s.rows.len().min(DIGEST_ROWS as usize);
        let more = if s.rows.len() > shown { "+" } else { "" };
        body.push_str(&format!("\n== {} ({shown}{more}) ==\n", s.name));
        if shown == 0 {
            body.push_str("Tidak ada / none\n");
        }
        for r in s.rows.iter().take(shown) {
            let title = crate::disclosure::keep(
                crate::disclosure::Audience::OfficerMail,
                r.privacy(),
                crate::disclosure::Field::Title,
                Some(r.title.as_str()),
            )
            .unwrap_or(crate::mail::TITLE_WITHHELD);
            let status = Status::from_key(&r.status).map_or(r.status.as_str(), |s| s.key());
            body.push_str(&format!(
                "- {} · {title} · {status} · {}\n",
                r.tracking_code,
                r.due_date.as_deref().unwrap_or("–")
            ));
        }
        body.push_str(&section_link(&ctx.public_url, &s.query));
        body.push('\n');
    }
    Mail {
        to: to.to_owned(),
        subject: format!("[Aduan] Ringkasan harian / daily digest {day}"),
        body,
    }
}

/// Where a section's link goes: the inbox with the view's filters, or the
/// officer's views when the view searches for what they typed (it may be
/// a reporter's name or phone, which an officer's e-mail never carries).
fn section_link(public_url: &str, query: &str) -> String {
    let searches =
        form_urlencoded::parse(query.as_bytes()).any(|(k, v)| k == "q" && !v.trim().is_empty());
    if searches {
        format!("{public_url}/console/views")
    } else if query.is_empty() {
        format!("{public_url}/console/inbox")
    } else {
        format!("{public_url}/console/inbox?{query}")
    }
}

/// The views that go in an officer's digest: those they put in it, or,
/// when they asked for the digest instead of single e-mails and put none
/// in it, their inbox.
pub fn digest_views(views: Vec<SavedView>, pref: MailPref) -> Vec<(String, String)> {
    let chosen: Vec<(String, String)> = views
        .into_iter()
        .filter(|v| v.in_digest)
        .map(|v| (v.name, v.query))
        .collect();
    if chosen.is_empty() && pref == MailPref::Digest {
        return vec![("Kotak masuk / inbox".to_owned(), String::new())];
    }
    chosen
}

async fn sections(
    state: &AppState,
    catalog: &Catalog,
    due: &DigestDue,
    today: Date,
) -> Result<Vec<Section>, StoreError> {
    let pref = MailPref::from_key(&due.mail_pref).unwrap_or(MailPref::Immediate);
    let role = Role::from_key(&due.officer.role).unwrap_or(Role::Supervisor);
    let scope = crate::auth::scope_of(&due.officer, role, catalog);
    let views = state.store.saved_views(due.officer.id).await?;
    let mut out = Vec::new();
    for (name, query) in digest_views(views, pref) {
        let filters = InboxFilters::from_query(&query);
        let mut inbox = filters.query_for(scope.clone(), due.officer.id, catalog, today);
        inbox.limit = DIGEST_ROWS + 1;
        inbox.after = None;
        let rows = match filters.sought() {
            // A search by words lists as the console does, best first, by
            // the complaints' own words (never by who filed them).
            Sought::Words(terms) => {
                let found = state
                    .store
                    .search(&crate::store::WordQuery { inbox, terms })
                    .await?;
                let terms = crate::search::terms(&filters.q);
                crate::routes::console::ranked(found, &terms, None, DIGEST_ROWS + 1)
                    .into_iter()
                    .map(|(_, r)| r.row)
                    .collect()
            }
            _ => state.store.inbox(&inbox).await?,
        };
        out.push(Section { name, query, rows });
    }
    Ok(out)
}

/// Queues the digests due at `now_ms`; how many this call wrote (another
/// process may have written the rest).
pub async fn send_digests(state: &AppState, now_ms: i64) -> Result<usize, StoreError> {
    let Some(ctx) = MailContext::of(&state.config) else {
        return Ok(0);
    };
    let catalog = state.catalog();
    let (today, time) = local_now(now_ms, catalog.settings.timezone_offset_minutes);
    let day = today.to_string();
    let mut written = 0;
    for due in state.store.digests_due(&day, &time).await? {
        let sections = sections(state, &catalog, &due, today).await?;
        if sections.is_empty() {
            continue;
        }
        let mail = digest_mail(&ctx, &due.officer.email, &day, &sections);
        if state
            .store
            .queue_digest(due.officer.id, &day, mail, now_ms)
            .await?
        {
            written += 1;
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferences_and_times_are_read_strictly() {
        for p in MailPref::ALL {
            assert_eq!(MailPref::from_key(p.key()), Some(p));
        }
        assert_eq!(MailPref::from_key("weekly"), None);
        assert_eq!(time_of_day("7:05").as_deref(), Some("07:05"));
        assert_eq!(time_of_day(" 23:59 ").as_deref(), Some("23:59"));
        assert_eq!(time_of_day("00:00").as_deref(), Some("00:00"));
        assert_eq!(time_of_day("24:00"), None);
        assert_eq!(time_of_day("12:60"), None);
        assert_eq!(time_of_day("noon"), None);
        assert_eq!(time_of_day("1200"), None);
    }

    #[test]
    fn the_local_day_and_time_follow_the_offset() {
        // 2026-12-06 23:30 UTC is 07:30 on the 7th in Bali (UTC+8).
        let at = 1_796_599_800_000;
        let (day, time) = local_now(at, 480);
        assert_eq!(
            (day.to_string().as_str(), time.as_str()),
            ("2026-12-07", "07:30")
        );
        let (day, time) = local_now(at, 0);
        assert_eq!(
            (day.to_string().as_str(), time.as_str()),
            ("2026-12-06", "23:30")
        );
        let (_, time) = local_now(at + 59_999, 480);
        assert_eq!(time, "07:30");
    }

    #[test]
    fn a_view_is_named_in_a_line() {
        assert_eq!(
            view_name("  Lewat   tenggat\n unit "),
            Ok("Lewat tenggat unit".into())
        );
        assert_eq!(view_name(" \n "), Err("empty"));
        assert_eq!(
            view_name(&"a".repeat(VIEW_NAME_MAX)).map(|n| n.len()),
            Ok(VIEW_NAME_MAX)
        );
        assert_eq!(view_name(&"a".repeat(VIEW_NAME_MAX + 1)), Err("long"));
    }

    fn view(name: &str, in_digest: bool) -> SavedView {
        SavedView {
            id: 1,
            name: name.into(),
            query: format!("q={name}"),
            in_digest,
        }
    }

    #[test]
    fn the_digest_holds_the_chosen_views_or_the_inbox() {
        let views = vec![view("a", true), view("b", false)];
        assert_eq!(
            digest_views(views.clone(), MailPref::Immediate),
            [("a".to_owned(), "q=a".to_owned())]
        );
        assert_eq!(digest_views(views, MailPref::Digest).len(), 1);
        assert!(digest_views(vec![view("b", false)], MailPref::Immediate).is_empty());
        assert_eq!(
            digest_views(vec![view("b", false)], MailPref::Digest),
            [("Kotak masuk / inbox".to_owned(), String::new())]
        );
    }

    fn row(code: &str, title: &str, confidential: bool) -> InboxRow {
        InboxRow {
            id: 1,
            tracking_code: code.into(),
            region_slug: "badung".into(),
            unit_key: "pupr".into(),
            category_key: "jalan".into(),
            anonymous: false,
            confidential,
            title: title.into(),
            status: "verified".into(),
            due_step: None,
            due_date: Some("2026-12-09".into()),
            created_at: 0,
            version: 1,
            assignee_id: None,
            assignee_name: None,
        }
    }

    #[test]
    fn the_digest_lists_each_view_with_its_link_and_says_when_there_is_more() {
        let ctx = MailContext {
            public_url: "https://aduan.example".into(),
        };
        let many: Vec<InboxRow> = (0..=DIGEST_ROWS)
            .map(|i| row(&format!("BDG-{i}"), "Jalan", false))
            .collect();
        let mail = digest_mail(
            &ctx,
            "o@example.id",
            "2026-12-07",
            &[
                Section {
                    name: "Lewat tenggat".into(),
                    query: "due=overdue".into(),
                    rows: vec![row("BDG-1", "Lubang", false)],
                },
                Section {
                    name: "Semua".into(),
                    query: String::new(),
                    rows: many,
                },
                Section {
                    name: "Kosong".into(),
                    query: "status=closed".into(),
                    rows: Vec::new(),
                },
                Section {
                    name: "Pak Wayan".into(),
                    query: "q=Wayan+0812555&status=verified".into(),
                    rows: Vec::new(),
                },
                Section {
                    name: "Tanpa kata".into(),
                    query: "q=+&due=overdue".into(),
                    rows: Vec::new(),
                },
            ],
        );
        assert_eq!(mail.to, "o@example.id");
        assert!(mail.subject.contains("2026-12-07"));
        assert!(mail.body.contains("== Lewat tenggat (1) ==\n- BDG-1 · Lubang · verified · 2026-12-09\nhttps://aduan.example/console/inbox?due=overdue\n"), "{}", mail.body);
        assert!(mail.body.contains("== Semua (20+) =="), "{}", mail.body);
        assert!(mail.body.contains("https://aduan.example/console/inbox\n"));
        assert!(!mail.body.contains(&format!("BDG-{DIGEST_ROWS} ")));
        assert!(mail.body.contains("== Kosong (0) ==\nTidak ada / none\n"));
        // What an officer typed to search stays in the console.
        assert!(
            mail.body.contains(
                "== Pak Wayan (0) ==\nTidak ada / none\nhttps://aduan.example/console/views\n"
            ),
            "{}",
            mail.body
        );
        assert!(
            !mail.body.contains("0812555") && !mail.body.contains("Wayan+"),
            "{}",
            mail.body
        );
        assert!(
            mail.body
                .contains("https://aduan.example/console/inbox?q=+&due=overdue\n"),
            "{}",
            mail.body
        );
    }

    #[test]
    fn a_confidential_complaint_is_named_by_its_code_alone() {
        let ctx = MailContext {
            public_url: "https://aduan.example".into(),
        };
        let mail = digest_mail(
            &ctx,
            "o@example.id",
            "2026-12-07",
            &[Section {
                name: "Semua".into(),
                query: String::new(),
                rows: vec![
                    row("BDG-1", "Pungutan liar di loket", true),
                    row("BDG-2", "Lubang", false),
                ],
            }],
        );
        assert!(
            mail.body.contains(&format!(
                "- BDG-1 · {} · verified · 2026-12-09\n",
                crate::mail::TITLE_WITHHELD
            )),
            "{}",
            mail.body
        );
        assert!(!mail.body.contains("Pungutan"), "{}", mail.body);
        assert!(
            mail.body.contains("- BDG-2 · Lubang · verified"),
            "{}",
            mail.body
        );
    }
}
