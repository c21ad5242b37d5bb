//! The indicators, the dashboard, its exports, the public record, ratings
//! and the Saber Pungli hand-off, on SQLite and PostgreSQL.

use std::sync::Arc;

use aduan_app::date::Date;
use aduan_app::validate::Reporter;
use aduan_server::stats::FactFilter;
use aduan_server::stats::report::{self, Grain};
use aduan_server::stats::tally::Tally;
use aduan_server::store::{NewComplaint, ReporterReply, Store, Transition};
use serde_json::{Value, json};

use crate::console::{file, officer, with};
use crate::support::{Engine, TestDb, complaint, on_both_engines};

// ---------------------------------------------------------------------
// Hand-built histories, written at chosen times through the store.

/// Noon in Bali (UTC+8) on `day`, in milliseconds.
fn noon(day: &str) -> i64 {
    let d = Date::parse(day).unwrap_or_else(|| panic!("{day}"));
    (d.to_days() * 86_400 + 4 * 3_600) * 1_000
}

struct Built {
    _db: Option<TestDb>,
    store: Arc<dyn Store>,
}

async fn open(engine: Engine) -> Built {
    let db = TestDb::new(engine).await;
    let store = aduan_server::open_store(&db.args())
        .await
        .unwrap_or_else(|e| panic!("{e:#}"));
    Built {
        _db: Some(db),
        store,
    }
}

impl Built {
    #[allow(clippy::too_many_arguments)]
    async fn file(
        &self,
        code: &str,
        day: &str,
        category: &str,
        channel: &str,
        region: &str,
        unit: &str,
        from: Option<&str>,
    ) {
        let confidential = from.is_some() || matches!(category, "pungli" | "maladministrasi");
        let outcome = self
            .store
            .submit(NewComplaint {
                tracking_code: code.to_owned(),
                public_id: format!("p{code}"),
                idempotency_key: format!("key-{code}"),
                body_hash: format!("hash-{code}"),
                region: region.into(),
                unit: unit.into(),
                filed_region: "badung".into(),
                channel: channel.into(),
                handed_off_from: from.map(str::to_owned),
                district: None,
                category: category.into(),
                classification: "complaint".into(),
                privacy: if confidential {
                    aduan_app::api::Privacy::Confidential
                } else {
                    aduan_app::api::Privacy::Public
                },
                title: "Jalan berlubang".into(),
                description: "Lubang besar di depan pasar.".into(),
                location: None,
                landmark: None,
                position: None,
                incident_date: None,
                locale: "id".into(),
                reporter: Reporter::default(),
                due_step: "verification".into(),
                due_date: day.into(),
                at_ms: noon(day),
                receipt_json: "{}".into(),
                mail: None,
            })
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(outcome, aduan_server::store::SubmitOutcome::Created);
    }

    /// An officer's step (or the reporter's confirmation) on `day`.
    async fn step(
        &self,
        code: &str,
        day: &str,
        kind: &'static str,
        to: &str,
        message: Option<&str>,
        region: Option<&str>,
    ) {
        let c = self
            .store
            .complaint_ref(code)
            .await
            .expect("read")
            .expect("the complaint");
        let author = if kind == "confirmed" {
            "reporter"
        } else {
            "officer"
        };
        let t = Transition {
            complaint_id: c.id,
            tracking_code: c.tracking_code.clone(),
            public_id: c.public_id.clone(),
            privacy: aduan_app::api::Privacy::of(c.anonymous, c.confidential),
            expected_version: c.version,
            author,
            officer_id: None,
            kind,
            from_status: c.status.clone(),
            to_status: to.into(),
            region: region.map_or(c.region_slug.clone(), str::to_owned),
            unit: if region.is_some() {
                "inspektorat".into()
            } else {
                c.unit_key.clone()
            },
            due_step: None,
            due_date: day.into(),
            tier: None,
            public_message: message.map(str::to_owned),
            internal_note: None,
            detail: None,
            at_ms: noon(day),
            inbound: None,
            lapor_update: None,
            forward_to_lapor: false,
            notify: aduan_server::casework::Notify::Nobody,
            mail: None,
        };
        let done = self.store.act(t).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(done, aduan_server::store::ActOutcome::Done, "{code} {kind}");
    }

    async fn reopen(&self, code: &str, day: &str) {
        let outcome = self
            .store
            .add_reporter_reply(ReporterReply {
                tracking_code: code.into(),
                message: "Belum diperbaiki.".into(),
                at_ms: noon(day),
                resume_due: ("verification".into(), day.into()),
                reopen_due: ("follow_up".into(), day.into()),
                idempotency: None,
                mail: None,
            })
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            matches!(outcome, aduan_server::store::ReplyOutcome::Added { .. }),
            "{outcome:?}"
        );
    }

    async fn sum(&self, region: &str, unit: Option<&str>) -> Tally {
        let filter = FactFilter {
            region: Some(region.into()),
            unit: unit.map(str::to_owned),
            by_unit: unit.is_some(),
            from: "2026-08-01".into(),
            to: "2026-08-31".into(),
        };
        let mut t = Tally::default();
        for row in self.store.stats_days(&filter).await.expect("the sums") {
            t.add(&Tally::decode(&row.tally).expect("a tally"), 1);
        }
        t
    }
}

/// A day of last month: the public record covers complete months only.
fn last_month() -> Date {
    let today = Date::at(aduan_server::state::now_ms(), 480);
    Date::new(today.year(), today.month(), 1)
        .expect("a date")
        .add_days(-12)
}

/// Files a complaint of Badung's public works through the store, on a day
/// of last month.
pub async fn file_last_month(app: &crate::support::TestApp, code: &str, category: &str) {
    crate::console::wait_until_serving(app).await;
    let store = aduan_server::open_store(&app.db.args())
        .await
        .expect("the store");
    let b = Built { _db: None, store };
    let unit = if category == "jalan" {
        "pupr"
    } else {
        "inspektorat"
    };
    b.file(
        code,
        &last_month().to_string(),
        category,
        "widget",
        "badung",
        unit,
        None,
    )
    .await;
    b.store.close().await;
}

macro_rules! on_both_stores {
    ($(async fn $name:ident($b:ident) $body:block)*) => {
        $(
            mod $name {
                use super::*;
                async fn body($b: Built) $body
                #[tokio::test]
                async fn sqlite() { body(open(Engine::Sqlite).await).await }
                #[tokio::test]
                async fn postgres() { body(open(Engine::Postgres).await).await }
            }
        )*
    };
}

on_both_stores! {
    async fn indicators_follow_hand_built_histories(b) {
        // August 2026: Monday the 17th is Independence Day.
        // C1, Friday 14th: verified Thursday 20th, on time only because of
        // the holiday; planned on the 27th (due then); resolved, reopened
        // twice, resolved again and confirmed; rated after the reopenings.
        b.file("C1", "2026-08-14", "jalan", "widget", "badung", "pupr", None).await;
        b.step("C1", "2026-08-20", "dispatched", "verified", None, None).await;
        b.step("C1", "2026-08-27", "planned", "in_progress", Some("Kami tambal minggu depan."), None).await;
        b.step("C1", "2026-09-01", "resolved", "resolved", Some("Sudah ditambal."), None).await;
        b.reopen("C1", "2026-09-02").await;
        b.step("C1", "2026-09-03", "resolved", "resolved", Some("Sudah ditambal lagi."), None).await;
        b.reopen("C1", "2026-09-04").await;
        b.step("C1", "2026-09-08", "resolved", "resolved", Some("Selesai."), None).await;
        b.step("C1", "2026-09-09", "confirmed", "closed", None, None).await;
        let c1 = b.store.complaint_ref("C1").await.expect("read").expect("C1");
        assert!(b.store.rate(c1.id, 4, Some("Cepat, terima kasih".into()), noon("2026-09-10")).await.expect("rated"));
        assert!(!b.store.rate(c1.id, 5, None, noon("2026-09-11")).await.expect("once"), "a second rating is refused");
        // C2, Saturday 15th: the count starts on Tuesday 18th; due Thursday
        // 20th; verified Friday 21st, late.
        b.file("C2", "2026-08-15", "jalan", "api", "badung", "pupr", None).await;
        b.step("C2", "2026-08-21", "dispatched", "verified", None, None).await;
        // C3: filed in Badung, transferred to Buleleng on Monday 24th (late
        // for Badung), verified there on the 26th: on time for Buleleng,
        // which it now counts for.
        b.file("C3", "2026-08-14", "jalan", "hosted", "badung", "pupr", None).await;
        b.step("C3", "2026-08-24", "transferred", "submitted", None, Some("buleleng")).await;
        b.step("C3", "2026-08-26", "dispatched", "verified", None, None).await;
        // C4: an illegal levy handed to the province: counts for Badung.
        b.file("C4", "2026-08-14", "pungli", "open311", "bali", "saber-pungli", Some("badung")).await;
        // C5: rejected the next working day.
        b.file("C5", "2026-08-14", "jalan", "widget", "badung", "pupr", None).await;
        b.step("C5", "2026-08-18", "rejected", "rejected", Some("Bukan wewenang daerah."), None).await;

        let badung = b.sum("badung", None).await;
        assert_eq!(badung.received, 4, "C1, C2, C4, C5: {badung:?}");
        assert_eq!(badung.channels, [2, 0, 1, 1, 0]);
        assert_eq!((badung.verified_on_time, badung.verified_late), (2, 1));
        assert_eq!((badung.planned_on_time, badung.planned_late), (1, 0));
        assert_eq!((badung.resolved, badung.closed_confirmed, badung.closed_quiet), (1, 1, 0));
        assert_eq!((badung.reopened, badung.rejected), (1, 1));
        assert_eq!((badung.rated, badung.rating_sum), (1, 4));
        assert_eq!(badung.confidential, 1);
        // C1: Friday 14th to Tuesday 8 September is 16 working days; its
        // first public reply (the plan, the 27th) 8; C5's the next working day.
        assert_eq!(badung.resolution_days, [(16, 1)].into());
        assert_eq!(badung.reply_days, [(1, 1), (8, 1)].into());
        // Four follow-up texts on C1 (the plan, three resolutions), none repeated.
        assert_eq!((badung.followups, badung.template_followups), (4, 0));
        let buleleng = b.sum("buleleng", None).await;
        assert_eq!((buleleng.received, buleleng.verified_on_time, buleleng.verified_late), (1, 1, 0));
        // The per-unit rows add up to the region's row.
        for region in ["badung", "buleleng"] {
            assert_eq!(b.sum(region, Some("*")).await, b.sum(region, None).await);
            let filter = FactFilter { region: Some(region.into()), unit: None, by_unit: true, from: "2026-08-01".into(), to: "2026-08-31".into() };
            let mut units = Tally::default();
            for row in b.store.stats_days(&filter).await.expect("rows") {
                units.add(&Tally::decode(&row.tally).expect("tally"), 1);
            }
            assert_eq!(units, b.sum(region, None).await, "{region}");
        }
        let saber = b.sum("badung", Some("saber-pungli")).await;
        assert_eq!(saber.received, 1);

        // The report: C4's verification is owed and late today.
        let filter = FactFilter { region: Some("badung".into()), unit: None, by_unit: false, from: "2026-08-01".into(), to: "2026-08-31".into() };
        let days = b.store.stats_days(&filter).await.expect("days");
        let live = b.store.stats_live(&filter, "2026-12-01").await.expect("live");
        let d = |s: &str| Date::parse(s).unwrap_or_else(|| panic!("{s}"));
        let r = report::build(report::Inputs {
            from: d("2026-08-01"), to: d("2026-08-31"), by_unit: false, grain: Grain::Month,
            keys: vec![("badung".into(), None)], days: &days, live: &live, pulses: &[], now_ms: 0, offset_minutes: 480,
        }).expect("a report");
        let line = &r.lines[0];
        assert_eq!(line.live.verification_late, 1);
        assert_eq!(line.verification().share(), Some(0.5), "2 on time of 2 + 1 late + 1 owed");
        assert_eq!(line.live.overdue, 2, "C2 (its plan was due in August) and C4; C1 and C5 ended");
        assert_eq!(line.live.plan_late, 1, "C2");

        // A fresh reading of every history gives the same sums.
        let before = b.sum("badung", None).await;
        let refreshed = b.store.backfill_facts(100).await.expect("backfill");
        assert_eq!(refreshed, 0, "every complaint has its facts");
        assert_eq!(b.sum("badung", None).await, before);
        // So does rebuilding every sum from the facts.
        let buleleng = b.sum("buleleng", None).await;
        assert!(b.store.rebuild_stats().await.expect("rebuilt") > 0);
        assert_eq!(b.sum("badung", None).await, before);
        assert_eq!(b.sum("buleleng", None).await, buleleng);
        assert_eq!(b.sum("badung", Some("saber-pungli")).await.received, 1);
    }

    async fn a_days_sums_split_over_rows_read_as_one_also_after_the_upgrade(b) {
        let db = b._db.as_ref().expect("a database");
        for n in 1..=12 {
            b.file(&format!("S{n}"), "2026-08-14", "jalan", "widget", "badung", "pupr", None).await;
        }
        // Twelve submissions to one unit on one day wrote to several rows...
        assert!(
            db.count("SELECT CAST(COUNT(DISTINCT shard) AS BIGINT) FROM stats_daily WHERE unit_key = 'pupr'").await > 1
        );
        // ...which readers see as one row per region, unit and day.
        let filter = FactFilter { region: Some("badung".into()), unit: Some("pupr".into()), by_unit: true, from: "2026-08-01".into(), to: "2026-08-31".into() };
        let rows = b.store.stats_days(&filter).await.expect("rows");
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(Tally::decode(&rows[0].tally).expect("a tally").received, 12);

        // Sums written before the split sit in shard 0; a later change takes
        // a complaint's old contribution from its own shard, which may go
        // below zero there. The total stays right.
        let mut whole = Vec::new();
        for by_unit in [true, false] {
            let filter = FactFilter { region: None, unit: None, by_unit, from: "2026-01-01".into(), to: "2026-12-31".into() };
            whole.extend(b.store.stats_days(&filter).await.expect("rows"));
        }
        let mut collapse = String::from("DELETE FROM stats_daily;");
        for row in &whole {
            collapse.push_str(&format!(
                " INSERT INTO stats_daily (region_slug, unit_key, day, shard, tally) VALUES ('{}', '{}', '{}', 0, '{}');",
                row.region_slug, row.unit_key, row.day, row.tally
            ));
        }
        db.run(collapse).await;
        assert_eq!(db.count("SELECT CAST(COUNT(DISTINCT shard) AS BIGINT) FROM stats_daily").await, 1);
        b.step("S5", "2026-08-17", "dispatched", "verified", None, None).await;
        b.step("S6", "2026-08-18", "dispatched", "verified", None, None).await;
        let after = b.sum("badung", Some("pupr")).await;
        assert_eq!((after.received, after.verified_on_time), (12, 2));
        assert_eq!(b.sum("badung", None).await, after);
        assert!(b.store.rebuild_stats().await.expect("rebuilt") > 0);
        assert_eq!(b.sum("badung", Some("pupr")).await, after, "the same as sums read afresh from the facts");
    }

    async fn the_same_follow_up_text_used_too_often_counts_as_a_template(b) {
        for i in 0..8 {
            let code = format!("T{i}");
            b.file(&code, "2026-08-03", "jalan", "api", "badung", "pupr", None).await;
            b.step(&code, "2026-08-04", "dispatched", "verified", None, None).await;
            b.step(&code, "2026-08-05", "planned", "in_progress", Some("Laporan  Anda sedang kami tindak lanjuti."), None).await;
        }
        let t = b.sum("badung", None).await;
        // Uses six, seven and eight are past the limit of five.
        assert_eq!((t.followups, t.template_followups), (8, 3));
    }
}

// ---------------------------------------------------------------------
// The dashboard, its exports and who sees what, through HTTP.

/// The cells of every body row of the first table with this class.
fn table_rows(page: &str, class: &str) -> Vec<Vec<String>> {
    let start = page
        .find(&format!("<table class=\"{class}\""))
        .unwrap_or_else(|| panic!("no table.{class}"));
    let end = page[start..]
        .find("</table>")
        .map_or(page.len(), |e| start + e);
    let table = &page[start..end];
    let body = table.split_once("<tbody>").map_or("", |(_, b)| b);
    let row = regex::Regex::new(r"(?s)<tr[^>]*>(.*?)</tr>").expect("regex");
    let cell = regex::Regex::new(r"(?s)<t[hd][^>]*>(.*?)</t[hd]>").expect("regex");
    let tag = regex::Regex::new(r"<[^>]+>").expect("regex");
    row.captures_iter(body)
        .map(|r| {
            cell.captures_iter(&r[1])
                .map(|c| {
                    tag.replace_all(&c[1], "")
                        .replace("&amp;", "&")
                        .trim()
                        .to_owned()
                })
                .collect()
        })
        .collect()
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.trim_start_matches('\u{feff}')
        .lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

async fn submit_from_browser(app: &crate::support::TestApp, body: &Value) -> String {
    let r = app
        .client
        .post(app.url("/api/v1/complaints"))
        .header("origin", "https://badungkab.go.id")
        .header("idempotency-key", crate::support::new_key())
        .json(body)
        .send()
        .await
        .expect("an answer");
    let v: Value = r.json().await.expect("json");
    v["tracking_code"].as_str().expect("a code").to_owned()
}

on_both_engines! {
    async fn each_viewer_counts_only_their_scope_and_csv_xlsx_and_page_agree(app) {
        submit_from_browser(&app, &complaint()).await;
        file(&app, complaint()).await;
        file(&app, with(json!({"region": "buleleng", "district": "Seririt"}))).await;
        let badung = officer(&app, "coordinator", "badung", None).await;
        let province = officer(&app, "province", "bali", None).await;
        let unit = officer(&app, "unit", "badung", Some("pupr")).await;

        assert_eq!(unit.get("/console/performance").await.0, 403);
        assert_eq!(unit.get_bytes("/console/performance.csv").await.0, 403);

        // The Badung coordinator: Badung's units, never Buleleng.
        let (status, kind, bytes) = badung.get_bytes("/console/performance.csv?region=buleleng").await;
        assert_eq!(status, 200);
        assert!(kind.starts_with("text/csv"), "{kind}");
        let text = String::from_utf8(bytes).expect("utf-8");
        assert!(text.starts_with('\u{feff}'), "a byte order mark");
        let rows = csv_rows(&text);
        assert_eq!(rows[0][0], "unit");
        let total = rows.iter().find(|r| r[0] == "total").expect("a total");
        assert_eq!(total[2], "2", "Badung's two, whatever the region asked: {rows:?}");
        let pupr = rows.iter().find(|r| r[0] == "pupr").expect("pupr");
        assert_eq!((pupr[2].as_str(), pupr[3].as_str(), pupr[5].as_str()), ("2", "1", "1"), "one by widget, one by API");

        // The province: every region, with the columns evaluators need.
        let (_, _, bytes) = province.get_bytes("/console/performance.csv").await;
        let rows = csv_rows(&String::from_utf8(bytes).expect("utf-8"));
        for column in ["region", "received", "verified_on_time", "verified_on_time_pct", "follow_up_on_time_pct", "resolved", "overdue", "median_days_to_first_reply", "rating_avg", "index"] {
            assert!(rows[0].iter().any(|c| c == column), "{column} in {:?}", rows[0]);
        }
        let received = |rows: &[Vec<String>], key: &str| rows.iter().find(|r| r[0] == key).map(|r| r[2].clone());
        assert_eq!(received(&rows, "badung").as_deref(), Some("2"));
        assert_eq!(received(&rows, "buleleng").as_deref(), Some("1"));
        assert_eq!(received(&rows, "total").as_deref(), Some("3"));
        assert_eq!(rows.iter().find(|r| r[0] == "badung").map(|r| r.last().cloned()), Some(Some("too_few".into())));

        // The page shows the same cells.
        let (status, page) = province.get("/console/performance").await;
        assert_eq!(status, 200);
        let shown = table_rows(&page, "performance");
        assert_eq!(shown.len(), rows.len() - 1, "every region, then the total in the footer");
        for (html_row, csv_row) in shown.iter().zip(rows.iter().skip(1)) {
            assert_eq!(html_row[0], csv_row[1], "the name");
            for (i, (h, c)) in html_row.iter().zip(csv_row.iter().skip(1)).enumerate().skip(1) {
                let h = h.split_whitespace().next().unwrap_or("");
                let same = h == c || (c.is_empty() && h == "–") || (c == "too_few" && h == "terlalu");
                assert!(same, "column {i} of {}: page {h:?}, CSV {c:?}", csv_row[0]);
            }
        }
        // The workbook too, numbers as numbers.
        let (status, kind, bytes) = province.get_bytes("/console/performance.xlsx").await;
        assert_eq!(status, 200);
        assert!(kind.contains("spreadsheetml"), "{kind}");
        use calamine::Reader;
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
        let sheet = book.worksheet_range("Aduan").expect("the sheet");
        let cells: Vec<Vec<String>> = sheet.rows().map(|r| r.iter().map(|c| match c {
            calamine::Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
            calamine::Data::Float(f) => format!("{f}"),
            calamine::Data::Empty => String::new(),
            other => other.to_string(),
        }).collect()).collect();
        assert_eq!(cells.len(), rows.len());
        for (x, c) in cells.iter().zip(&rows) {
            for (a, b) in x.iter().zip(c) {
                let same = a == b || b.parse::<f64>().ok() == a.parse::<f64>().ok() && !b.is_empty();
                assert!(same, "workbook {a:?}, CSV {b:?}");
            }
        }

        // The monthly report of this month: Badung's figures, printable, no script.
        let (status, report) = badung.get("/console/performance/report").await;
        assert_eq!(status, 200);
        assert!(report.contains("Laporan bulanan penanganan pengaduan") && report.contains("Kabupaten Badung"), "{report}");
        let indicators = table_rows(&report, "facts-table");
        assert!(indicators.iter().any(|r| r[0] == "Diterima" && r[1] == "2"), "{indicators:?}");
        assert!(!report.contains("<script"));
        assert_eq!(province.get("/console/performance/report").await.0, 422, "one region at a time");

        // Bad filters are refused with a sentence, not a page of zeros.
        let (status, page) = province.get("/console/performance?from=2026-13-01").await;
        assert_eq!(status, 422);
        assert!(page.contains("YYYY-MM-DD") || page.contains("TTTT-BB-HH"), "{page}");
        assert_eq!(province.get("/console/performance?from=2026-11-30&to=2026-11-01").await.0, 422);
        assert_eq!(province.get("/console/performance?from=2020-01-01&to=2026-11-01").await.0, 422);
        assert_eq!(province.get("/console/performance?region=atlantis").await.0, 422);
    }

    async fn every_count_lists_the_complaints_it_counts(app) {
        let widget = submit_from_browser(&app, &complaint()).await;
        let api = file(&app, complaint()).await;
        let coordinator = officer(&app, "coordinator", "badung", None).await;
        let (_, page) = coordinator.get("/console/performance").await;
        let link = regex::Regex::new(r#"href="(/console/inbox\?measure=channel_widget[^"]*unit=pupr)""#).expect("regex");
        let url = link.captures(&page).map(|c| c[1].replace("&amp;", "&")).unwrap_or_else(|| panic!("a link: {page}"));
        let (status, inbox) = coordinator.get(&url).await;
        assert_eq!(status, 200);
        assert!(inbox.contains(&widget), "{inbox}");
        assert!(!inbox.contains(&api), "the API complaint is not counted there");
        // A figure's list holds closed complaints too.
        coordinator.act(&api, &[("action", "reject"), ("message", "Bukan wewenang kami.")]).await;
        let url = url.replace("channel_widget", "rejected").replace("&unit=pupr", "");
        let (_, inbox) = coordinator.get(&url).await;
        assert!(inbox.contains(&api) && !inbox.contains(&widget), "{inbox}");
    }

    async fn a_rating_is_given_once_after_the_resolution(app) {
        let code = file(&app, with(json!({"reporter": {"name": "Wayan Sudarma"}}))).await;
        let rate = |body: Value| {
            let (app, code) = (&app, code.clone());
            async move {
                app.post_raw(&format!("/api/v1/complaints/{code}/rating"), "application/json", body.to_string().into_bytes()).await
            }
        };
        let (status, body) = rate(json!({"score": 5})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (409, Some("not_resolved")));
        let coordinator = officer(&app, "coordinator", "badung", None).await;
        let unit = officer(&app, "unit", "badung", Some("pupr")).await;
        let supervisor = officer(&app, "supervisor", "badung", None).await;
        coordinator.act(&code, &[("action", "dispatch"), ("unit", "pupr")]).await;
        unit.act(&code, &[("action", "plan"), ("message", "Kami tambal."), ("tier", "simple")]).await;
        let (status, _, _) = unit.act(&code, &[("action", "resolve"), ("message", "Sudah ditambal.")]).await;
        assert_eq!(status, 303);
        for (bad, field) in [(json!({"score": 0}), "score"), (json!({"score": 6}), "score"), (json!({"score": 3, "comment": "x\u{0007}"}), "comment")] {
            let (status, body) = rate(bad).await;
            assert_eq!(status, 422, "{body}");
            assert!(body["error"]["fields"][field].is_string(), "{body}");
        }
        let (status, view) = rate(json!({"score": 4, "comment": "Petugas ramah <b>sekali</b>"})).await;
        assert_eq!(status, 201, "{view}");
        assert_eq!(view["rating"], 4);
        assert!(!view.to_string().contains("ramah"), "the comment is not shown back");
        let (status, body) = rate(json!({"score": 1})).await;
        assert_eq!((status, body["error"]["code"].as_str()), (409, Some("already_rated")));
        // The officers who handle it read the comment, escaped; a
        // supervisor reads it of a complaint that is not confidential.
        for o in [&coordinator, &unit, &supervisor] {
            let (_, page) = o.get(&format!("/console/complaints/{code}")).await;
            assert!(page.contains("4 / 5"), "{}", o.email);
            assert!(page.contains("Petugas ramah &lt;b&gt;sekali&lt;/b&gt;"), "{}", o.email);
        }
        // The public record and Open311 never carry it.
        let (_, stats) = app.get("/api/v1/regions/badung/stats").await;
        assert!(!stats.to_string().contains("ramah"));
        let (_, requests) = app.get("/open311/v2/requests.json?jurisdiction_id=badung").await;
        assert!(!requests.to_string().contains("ramah"));
        // The dashboard averages it.
        let hosted = |fields: Vec<(&'static str, String)>| {
            let app = &app;
            async move {
                let r = app.client.post(app.url("/r/badung/track/rate")).form(&fields).send().await.expect("an answer");
                (r.status().as_u16(), r.text().await.unwrap_or_default())
            }
        };
        // The hosted tracker: the form once resolved, refusals in words, once.
        let other = file(&app, complaint()).await;
        let (_, page) = hosted(vec![("code", other.clone()), ("lang", "en".into()), ("score", "5".into())]).await;
        assert!(page.contains("The handling can be rated once the complaint has been followed up."), "{page}");
        coordinator.act(&other, &[("action", "dispatch"), ("unit", "pupr")]).await;
        unit.act(&other, &[("action", "plan"), ("message", "Kami tambal."), ("tier", "simple")]).await;
        unit.act(&other, &[("action", "resolve"), ("message", "Sudah ditambal.")]).await;
        let tracker = app.client.get(app.url(&format!("/r/badung/track?lang=en&code={other}"))).send().await.expect("page").text().await.unwrap_or_default();
        assert!(tracker.contains("Rate the handling") && tracker.contains("name=\"score\""), "{tracker}");
        let (status, page) = hosted(vec![("code", other.clone()), ("lang", "en".into()), ("score", "9".into())]).await;
        assert_eq!(status, 422);
        assert!(page.contains("Choose a score from 1 to 5."), "{page}");
        let (status, page) = hosted(vec![("code", other.clone()), ("lang", "en".into()), ("score", "5".into()), ("comment", "Bagus".into())]).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("You rated the handling of this complaint") && page.contains("5 / 5"), "{page}");
        assert!(!page.contains("Bagus"), "the comment is the officers'");
        let (status, page) = hosted(vec![("code", other.clone()), ("lang", "en".into()), ("score", "1".into())]).await;
        assert_eq!(status, 409);
        assert!(page.contains("rated already"), "{page}");
        let (_, _, bytes) = coordinator.get_bytes("/console/performance.csv").await;
        let rows = csv_rows(&String::from_utf8(bytes).expect("utf-8"));
        let col = rows[0].iter().position(|c| c == "rating_avg").expect("rating_avg");
        assert_eq!(rows.iter().find(|r| r[0] == "total").map(|r| r[col].clone()).as_deref(), Some("4.50"), "4 by API, 5 from the hosted tracker");
    }

    async fn the_public_record_never_shows_a_small_confidential_category(app) {
        // Complaints of last month (the record covers complete months only).
        for i in 0..3 {
            file_last_month(&app, &format!("R{i}"), "jalan").await;
        }
        // Abuse of authority: confidential, and stays in Badung.
        file_last_month(&app, "R9", "maladministrasi").await;
        // A complaint filed today is not in the record until its month ends.
        file(&app, complaint()).await;
        let (status, v) = app.get("/api/v1/regions/badung/stats").await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["received"], 4, "the confidential complaint counts in the total; today's does not: {v}");
        // Three roads and one confidential complaint: the roads join the
        // merged ones so that nothing small can be subtracted out.
        assert_eq!(v["categories"], json!([]), "{v}");
        assert_eq!(v["other_categories"]["received"], Value::Null, "{v}");
        assert_eq!(v["months"].as_array().map(Vec::len), Some(12));
        let r = app.client.get(app.url("/r/badung/stats?lang=en")).send().await.expect("page");
        assert_eq!(r.status().as_u16(), 200);
        assert!(r.headers().get("cache-control").and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("public")));
        let csp = r.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert!(csp.contains("default-src 'none'") && !csp.contains("script-src"), "{csp}");
        let page = r.text().await.expect("text");
        assert!(!page.contains("<script"));
        assert!(!page.contains("Penyalahgunaan") && !page.contains("Abuse of authority"), "{page}");
        assert!(page.contains("fewer than 5"), "{page}");
        assert_eq!(app.get("/api/v1/regions/atlantis/stats").await.0, 404);
    }

    async fn an_illegal_levy_is_handed_to_saber_pungli_and_badung_sees_only_that(app) {
        let body = with(json!({"category": "pungli", "privacy": "anonymous", "title": "Pungutan di loket KTP kecamatan"}));
        let code = file(&app, body.clone()).await;
        assert!(code.starts_with("BPV-"), "{code}");
        let badung = officer(&app, "coordinator", "badung", None).await;
        let badung_inspector = officer(&app, "unit", "badung", Some("inspektorat")).await;
        let saber = officer(&app, "unit", "bali", Some("saber-pungli")).await;
        let bali = officer(&app, "coordinator", "bali", None).await;
        for o in [&badung, &badung_inspector] {
            assert_eq!(o.get(&format!("/console/complaints/{code}")).await.0, 404, "{}", o.email);
            let (_, inbox) = o.get("/console/inbox").await;
            assert!(!inbox.contains("Pungutan di loket") && !inbox.contains(&code));
        }
        assert_eq!(bali.get(&format!("/console/complaints/{code}")).await.0, 200);
        bali.act(&code, &[("action", "dispatch"), ("unit", "saber-pungli")]).await;
        let (status, page) = saber.get(&format!("/console/complaints/{code}")).await;
        assert_eq!(status, 200);
        assert!(page.contains("Pungutan di loket"));
        // Badung's dashboard counts it and says it was handed off, no more.
        let (_, page) = badung.get("/console/performance").await;
        assert!(page.contains("Saber Pungli"), "{page}");
        assert!(!page.contains("Pungutan di loket") && !page.contains(&code));
        // Its own figures leave it out: a line of how the province handles
        // it would tell Badung's officers more than that it was handed off.
        for path in ["/console/performance.csv", "/console/performance.csv?from=2026-01-01&to=2026-12-31"] {
            let (_, _, bytes) = badung.get_bytes(path).await;
            let rows = csv_rows(&String::from_utf8(bytes).expect("utf-8"));
            assert!(rows.iter().all(|r| r[0] != "saber-pungli"), "{rows:?}");
            assert_eq!(rows.iter().find(|r| r[0] == "total").map(|r| r[2].clone()).as_deref(), Some("0"));
        }
        assert_eq!(badung.get("/console/performance/report?month=2026-13").await.0, 422);
        assert_eq!(badung.get("/console/performance/report?month=soon").await.0, 422);
        let (status, report) = badung.get("/console/performance/report").await;
        assert_eq!(status, 200);
        assert!(!report.contains("Pungutan liar") && !report.contains("saber-pungli\""), "{report}");
        // The province sees where it happened, by unit.
        let province_view = officer(&app, "province", "bali", None).await;
        let (_, _, bytes) = province_view.get_bytes("/console/performance.csv?region=badung").await;
        let rows = csv_rows(&String::from_utf8(bytes).expect("utf-8"));
        assert_eq!(rows.iter().find(|r| r[0] == "saber-pungli").map(|r| r[2].clone()).as_deref(), Some("1"));
        let (_, _, bytes) = badung.get_bytes("/console/performance/complaints.csv").await;
        let export = String::from_utf8(bytes).expect("utf-8");
        assert_eq!(export.lines().count(), 1, "only the header: {export}");
        // A province officer's export leaves confidential complaints out, as
        // their inbox does; the dashboard counts them.
        let (_, _, bytes) = province_view.get_bytes("/console/performance/complaints.csv").await;
        let export = String::from_utf8(bytes).expect("utf-8");
        assert_eq!(export.lines().count(), 1, "only the header: {export}");
        assert!(!export.contains("Pungutan") && !export.contains(&code) && !export.contains("BPV-"), "{export}");
        // An administrator keeps illegal levies with each region from now on.
        let admin = officer(&app, "admin", "bali", None).await;
        let (status, _, _) = admin.post("/console/rules/handoff", &[("category", "pungli"), ("unit", "")]).await;
        assert_eq!(status, 303);
        let (status, receipt) = app.submit(&body).await;
        assert_eq!(status, 201);
        assert_eq!((receipt["region"]["key"].as_str(), receipt["unit"]["key"].as_str()), (Some("badung"), Some("inspektorat")));
        // Only an administrator may change it, and only to a unit that exists.
        assert_eq!(badung.post("/console/rules/handoff", &[("category", "pungli"), ("unit", "saber-pungli")]).await.0, 403);
        assert_eq!(admin.post("/console/rules/handoff", &[("category", "jalan"), ("unit", "saber-pungli")]).await.0, 422);
        assert_eq!(admin.post("/console/rules/handoff", &[("category", "pungli"), ("unit", "nowhere")]).await.0, 422);
    }

    async fn the_widget_seen_working_and_a_portal_link_make_connectivity(app) {
        let r = app.client.get(app.url("/api/v1/regions/badung/form")).header("origin", "https://badungkab.go.id").send().await.expect("form");
        assert_eq!(r.status().as_u16(), 200);
        // A server asking (no origin) is not a widget.
        app.client.get(app.url("/api/v1/regions/bangli/form")).send().await.expect("form");
        let seen = app.db.strings("SELECT region_slug FROM region_pulse WHERE widget_at IS NOT NULL").await;
        assert_eq!(seen, ["badung"]);
    }
}
