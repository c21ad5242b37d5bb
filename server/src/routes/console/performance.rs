//! `/console/performance`: how well each region (or each unit of one
//! region) handles complaints, for any period: the indicators, the
//! compliance index with its range, trend charts as server-rendered SVG
//! with their data tables, and the same figures as CSV and XLSX; a
//! per-complaint export; the printable monthly report.
//!
//! Province officers, administrators and the province's supervisors see
//! every region (and may open one region's units); a region's coordinator
//! and supervisor see their own region's units. Unit officers do not see
//! the dashboard. Every count links to the inbox listing the complaints it
//! counts, within what the viewer may list.

use aduan_app::api::Locale;
use aduan_app::date::Date;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::pages::{self, Page};
use super::{forbidden, store_failed};
use crate::auth::SignedIn;
use crate::disclosure::{Audience, Field};
use crate::domain::catalog::Catalog;
use crate::domain::lifecycle::Role;
use crate::extract::AcceptLocale;
use crate::state::{AppState, now_ms};
use crate::stats::index::{MIN_RANKED, WEIGHTS, Zone};
use crate::stats::report::{self, COLUMNS, Cell, Grain, Line, Report};
use crate::stats::tally::Tally;
use crate::stats::{FactFilter, Measure};

/// Longest period a dashboard covers, in days.
const MAX_DAYS: i64 = 732;
/// Most complaints one per-complaint export holds.
const EXPORT_MAX: i64 = 100_000;

/// The dashboard's filters, from the query string.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct PerformanceQuery {
    /// First and last day received (`YYYY-MM-DD`); the last 90 days by default.
    pub from: String,
    pub to: String,
    /// For a viewer of every region: one region's units instead.
    pub region: String,
    /// `week` or `month` for the trend.
    pub grain: String,
    /// `YYYY-MM` for the monthly report.
    pub month: String,
}

/// What a request asks for, checked against the viewer's scope.
#[derive(Debug, Clone)]
pub struct Selection {
    /// Set when the table lists this region's units.
    pub region: Option<String>,
    pub from: Date,
    pub to: Date,
    pub grain: Grain,
}

impl Selection {
    fn filter(&self) -> FactFilter {
        FactFilter {
            region: self.region.clone(),
            unit: None,
            by_unit: self.region.is_some(),
            from: self.from.to_string(),
            to: self.to.to_string(),
        }
    }

    /// The query string that asks for this selection again.
    fn query(&self) -> String {
        let mut q = format!(
            "from={}&to={}&grain={}",
            self.from,
            self.to,
            self.grain.key()
        );
        if let Some(r) = &self.region {
            q.push_str(&format!("&region={r}"));
        }
        q
    }
}

/// Why a request's filters were refused, in both languages.
type Problem = (&'static str, &'static str);

/// Reads and checks the filters for `who`.
pub fn select(
    who: &SignedIn,
    catalog: &Catalog,
    q: &PerformanceQuery,
    today: Date,
) -> Result<Selection, Problem> {
    let day = |text: &str, default: Date| -> Result<Date, Problem> {
        if text.trim().is_empty() {
            return Ok(default);
        }
        Date::parse(text.trim()).ok_or((
            "Tanggal harus ditulis TTTT-BB-HH, misalnya 2026-11-30.",
            "Dates are written YYYY-MM-DD, for example 2026-11-30.",
        ))
    };
    let to = day(&q.to, today)?;
    let from = day(&q.from, to.add_days(-89))?;
    if from > to {
        return Err((
            "Tanggal awal harus sebelum tanggal akhir.",
            "The first day must come before the last.",
        ));
    }
    if to.to_days() - from.to_days() >= MAX_DAYS {
        return Err((
            "Periode paling lama dua tahun.",
            "A period is at most two years.",
        ));
    }
    let scope = who.scope(catalog);
    let region = match scope.region {
        Some(own) => Some(own),
        None if q.region.is_empty() => None,
        None => Some(
            catalog
                .region(&q.region)
                .map(|r| r.slug.clone())
                .ok_or(("Wilayah ini tidak dikenal.", "This region is not known."))?,
        ),
    };
    let grain = Grain::from_key(&q.grain).unwrap_or(if to.to_days() - from.to_days() > 120 {
        Grain::Month
    } else {
        Grain::Week
    });
    Ok(Selection {
        region,
        from,
        to,
        grain,
    })
}

/// True for the roles that see the dashboard.
fn allowed(who: &SignedIn) -> bool {
    !matches!(who.role, Role::Unit | Role::Webmaster)
}

/// How a report is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// Every region, or one region's units (with the province's unit that
    /// holds what the region handed off): for viewers of every region.
    Full,
    /// One region's own units only: what a region's own officers see. What
    /// the region handed to the province is a count for them, nothing more
    /// (see [`handed_off_notice`]).
    OwnUnits,
    /// One region as a single line, from its own units only.
    OwnRegionLine,
}

/// How `who` may read the selection.
pub fn reading(who: &SignedIn, catalog: &Catalog) -> Reading {
    if who.scope(catalog).region.is_some() {
        Reading::OwnUnits
    } else {
        Reading::Full
    }
}

/// Reads the sums and builds the report for a selection.
pub async fn build(
    state: &AppState,
    catalog: &Catalog,
    sel: &Selection,
    how: Reading,
) -> Result<Report, crate::store::StoreError> {
    let mut filter = sel.filter();
    if how == Reading::OwnRegionLine {
        // The units' rows, so that others' units can be left out.
        filter.by_unit = true;
    }
    let now = now_ms();
    let today = catalog.today(now).to_string();
    let mut days = state.store.stats_days(&filter).await?;
    let mut live = state.store.stats_live(&filter, &today).await?;
    if how != Reading::Full
        && let Some(region) = &sel.region
    {
        days.retain(|d| catalog.unit(region, &d.unit_key).is_some());
        live.retain(|l| catalog.unit(region, &l.unit_key).is_some());
    }
    let pulses = state.store.pulses().await?;
    let keys: Vec<(String, Option<String>)> = match (&sel.region, how) {
        (Some(region), Reading::OwnRegionLine) => vec![(region.clone(), None)],
        (Some(region), _) => {
            let mut units: Vec<String> = catalog
                .units
                .iter()
                .filter(|u| &u.region == region)
                .map(|u| u.key.clone())
                .collect();
            // A unit of another region that holds complaints from this one
            // (the province's unit after a hand-off), for those who may see it.
            for row in days
                .iter()
                .map(|d| &d.unit_key)
                .chain(live.iter().map(|l| &l.unit_key))
            {
                if !units.contains(row) {
                    units.push(row.clone());
                }
            }
            units
                .into_iter()
                .map(|u| (region.clone(), Some(u)))
                .collect()
        }
        (None, _) => catalog
            .regions
            .iter()
            .map(|r| (r.slug.clone(), None))
            .collect(),
    };
    report::build(report::Inputs {
        from: sel.from,
        to: sel.to,
        by_unit: sel.region.is_some() && how != Reading::OwnRegionLine,
        grain: sel.grain,
        keys,
        days: &days,
        live: &live,
        pulses: &pulses,
        now_ms: now,
        offset_minutes: catalog.settings.timezone_offset_minutes,
    })
    .map_err(crate::store::StoreError::Corrupt)
}

/// The name a line goes by.
fn line_name(page: &Page<'_>, line: &Line) -> String {
    match &line.unit {
        Some(unit) => match page.catalog.unit(&line.region, unit) {
            Some(u) => u.name.clone(),
            None => {
                // A unit elsewhere: the province's, after a hand-off.
                let holder = page
                    .catalog
                    .units
                    .iter()
                    .find(|u| &u.key == unit)
                    .map_or_else(|| unit.clone(), |u| u.name.clone());
                format!(
                    "{holder} ({})",
                    page.t("diserahkan ke provinsi", "handed to the province")
                )
            }
        },
        None => page.region_name(&line.region),
    }
}

/// The machine key a line goes by in exports.
fn line_key(line: &Line) -> String {
    line.unit.clone().unwrap_or_else(|| line.region.clone())
}

/// The words for a figure's complaints, as the inbox names them.
pub fn measure_name(m: Measure, locale: Locale) -> &'static str {
    let t = |id, en| pages::t(locale, id, en);
    match m {
        Measure::Received => t("diterima", "received"),
        Measure::Channel("widget") => t("diterima lewat widget", "received by widget"),
        Measure::Channel("hosted") => t("diterima lewat formulir", "received by hosted form"),
        Measure::Channel("api") => t("diterima lewat API", "received by API"),
        Measure::Channel("open311") => t("diterima lewat Open311", "received by Open311"),
        Measure::Channel(_) => t("diterima lewat LAPOR", "received by LAPOR"),
        Measure::VerifiedOnTime => t("diverifikasi tepat waktu", "verified on time"),
        Measure::VerificationMissed => t(
            "verifikasi terlambat atau belum dan lewat tenggat",
            "verified late, or not yet and past due",
        ),
        Measure::PlannedOnTime => t(
            "rencana tindak lanjut tepat waktu",
            "follow-up plan on time",
        ),
        Measure::PlanMissed => t(
            "rencana terlambat atau belum dan lewat tenggat",
            "follow-up plan late, or not yet and past due",
        ),
        Measure::Resolved => t("selesai", "resolved"),
        Measure::ClosedConfirmed => t("ditutup atas konfirmasi pelapor", "closed by the reporter"),
        Measure::ClosedQuiet => t(
            "ditutup karena tanpa tanggapan",
            "closed after the quiet period",
        ),
        Measure::Rejected => t("ditolak", "rejected"),
        Measure::Reopened => t("dibuka kembali", "reopened"),
        Measure::Rated => t("dinilai pelapor", "rated by the reporter"),
        Measure::Overdue => t("lewat tenggat saat ini", "overdue now"),
    }
}

fn zone_name(zone: Zone, locale: Locale) -> &'static str {
    match zone {
        Zone::Green => pages::t(locale, "zona hijau", "green zone"),
        Zone::Yellow => pages::t(locale, "zona kuning", "yellow zone"),
        Zone::Red => pages::t(locale, "zona merah", "red zone"),
    }
}

/// The inbox listing a cell's complaints, when the viewer may list them.
fn cell_link(page: &Page<'_>, sel: &Selection, line: &Line, cell: &Cell) -> Option<String> {
    let measure = Measure::from_key(cell.measure?)?;
    if cell.text.is_empty() || cell.text == "0" {
        return None;
    }
    let scope = page.who.scope(page.catalog);
    let unit = line.unit.as_deref();
    // The province's unit holds what a region handed off: its officers list
    // them, the region's own do not.
    if let Some(u) = unit
        && page.catalog.unit(&line.region, u).is_none()
        && scope.region.is_some()
    {
        return None;
    }
    let mut url = format!(
        "/console/inbox?measure={}&from={}&to={}",
        measure.key(),
        sel.from,
        sel.to
    );
    // The total's complaints are the selection's.
    let region = if line.region.is_empty() {
        sel.region.as_deref()
    } else {
        Some(line.region.as_str())
    };
    if let Some(r) = region {
        url.push_str(&format!("&region={r}"));
    }
    if let Some(u) = unit {
        url.push_str(&format!("&unit={u}"));
    }
    Some(url)
}

fn headings(page: &Page<'_>, by_unit: bool) -> Markup {
    html! {
        tr {
            @for (i, (_, id, en)) in COLUMNS.iter().enumerate() {
                th scope="col" {
                    @if i == 0 && by_unit { (page.t("Unit", "Unit")) } @else { (pages::t(page.locale, id, en)) }
                }
            }
        }
    }
}

fn row(page: &Page<'_>, sel: &Selection, line: &Line, total: bool) -> Markup {
    let cells = line.cells(&if total {
        page.t("Jumlah", "Total").to_owned()
    } else {
        line_name(page, line)
    });
    let index_col = COLUMNS.iter().position(|c| c.0 == "index").unwrap_or(0);
    let rank_col = COLUMNS.iter().position(|c| c.0 == "rank").unwrap_or(0);
    html! {
        tr class=[total.then_some("total")] {
            @for (i, cell) in cells.iter().enumerate() {
                @let label = COLUMNS.get(i).map_or("", |(_, id, en)| pages::t(page.locale, id, en));
                @if i == 0 {
                    th scope="row" { (cell.text) }
                } @else if i == index_col {
                    @match line.index {
                        Some(ix) => td.num class=(format!("zone-{}", ix.zone().key())) data-label=(label) {
                            strong { (cell.text) } " " span.zone { (zone_name(ix.zone(), page.locale)) }
                        },
                        None => td.num data-label=(label) { "–" },
                    }
                } @else if i == rank_col && cell.text == "too_few" {
                    td data-label=(label) { span.few title=(page.t("Terlalu sedikit pengaduan untuk diperingkat secara adil", "Too few complaints to rank fairly")) { (page.t("terlalu sedikit", "too few")) } }
                } @else {
                    td.num data-label=(label) {
                        @match cell_link(page, sel, line, cell) {
                            Some(url) => a href=(url) { (cell.text) },
                            None => (if cell.text.is_empty() { "–" } else { cell.text.as_str() }),
                        }
                    }
                }
            }
        }
    }
}

/// Points of a line chart in a `w` × `h` box, for values 0–`max`.
fn polyline(values: &[Option<f64>], max: f64, w: f64, h: f64) -> String {
    let n = values.len().max(2) as f64 - 1.0;
    values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            v.map(|v| {
                format!(
                    "{:.1},{:.1}",
                    40.0 + (i as f64) * (w - 50.0) / n,
                    h - 20.0 - (v / max.max(1e-9)).clamp(0.0, 1.0) * (h - 30.0)
                )
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A chart of two series over the trend's periods, drawn with presentation
/// attributes only (the console's CSP forbids inline styles), and its data
/// table for screen readers and for copying.
fn chart(
    page: &Page<'_>,
    id: &str,
    title: &str,
    labels: &[String],
    series: [(&str, &str, Vec<Option<f64>>); 2],
    percent: bool,
) -> Markup {
    let (w, h) = (640.0, 220.0);
    let max = if percent {
        100.0
    } else {
        series
            .iter()
            .flat_map(|s| s.2.iter().flatten())
            .fold(0.0_f64, |a, b| a.max(*b))
            .max(1.0)
    };
    let fmt = |v: Option<f64>| match (v, percent) {
        (None, _) => "–".to_owned(),
        (Some(v), true) => format!("{v:.1}"),
        (Some(v), false) => format!("{v:.0}"),
    };
    html! {
        figure.chart aria-labelledby=(format!("{id}-title")) {
            figcaption id=(format!("{id}-title")) { (title) }
            div.chart-body {
                svg viewBox=(format!("0 0 {w} {h}")) width="640" height="220" role="img" aria-labelledby=(format!("{id}-title")) focusable="false" {
                    line x1="40" y1=(h - 20.0) x2=(w - 10.0) y2=(h - 20.0) stroke="#57606a" stroke-width="1" {}
                    line x1="40" y1="10" x2="40" y2=(h - 20.0) stroke="#57606a" stroke-width="1" {}
                    text x="36" y="16" text-anchor="end" font-size="11" fill="#57606a" { (fmt(Some(max))) }
                    text x="36" y=(h - 20.0) text-anchor="end" font-size="11" fill="#57606a" { "0" }
                    @if let (Some(first), Some(last)) = (labels.first(), labels.last()) {
                        text x="40" y=(h - 4.0) font-size="11" fill="#57606a" { (first) }
                        text x=(w - 10.0) y=(h - 4.0) text-anchor="end" font-size="11" fill="#57606a" { (last) }
                    }
                    @for (i, (_, colour, values)) in series.iter().enumerate() {
                        polyline points=(polyline(values, max, w, h)) fill="none" stroke=(colour) stroke-width="2.5" stroke-dasharray=[(i == 1).then_some("6 3")] {}
                    }
                }
                ul.legend {
                    @for (i, (name, colour, _)) in series.iter().enumerate() {
                        li {
                            svg width="24" height="10" aria-hidden="true" { line x1="0" y1="5" x2="24" y2="5" stroke=(colour) stroke-width="2.5" stroke-dasharray=[(i == 1).then_some("6 3")] {} }
                            " " (name)
                        }
                    }
                }
            }
            table.chart-data {
                caption { (title) " · " (page.t("data grafik", "chart data")) }
                thead { tr {
                    th scope="col" { (page.t("Periode mulai", "Period from")) }
                    @for (name, _, _) in &series { th scope="col" { (name) } }
                } }
                tbody {
                    @for (i, label) in labels.iter().enumerate() {
                        tr {
                            th scope="row" { (label) }
                            @for (_, _, values) in &series { td.num { (fmt(values.get(i).copied().flatten())) } }
                        }
                    }
                }
            }
        }
    }
}

fn share(hits: i64, of: i64) -> Option<f64> {
    (of > 0).then(|| 100.0 * hits as f64 / of as f64)
}

fn trend_charts(page: &Page<'_>, r: &Report) -> Markup {
    let labels: Vec<String> = r.trend.iter().map(|(d, _)| d.to_string()).collect();
    let of = |f: fn(&Tally) -> Option<f64>| r.trend.iter().map(|(_, t)| f(t)).collect::<Vec<_>>();
    html! {
        (chart(page, "chart-volume", page.t("Pengaduan diterima dan selesai", "Complaints received and resolved"), &labels, [
            (page.t("Diterima", "Received"), "#0b5cad", of(|t| Some(t.received as f64))),
            (page.t("Selesai", "Resolved"), "#116329", of(|t| Some(t.resolved as f64))),
        ], false))
        (chart(page, "chart-timely", page.t("Ketepatan waktu (%)", "Timeliness (%)"), &labels, [
            (page.t("Verifikasi tepat waktu", "Verified on time"), "#8250df", of(|t| share(t.verified_on_time, t.verified_on_time + t.verified_late))),
            (page.t("Rencana tepat waktu", "Plans on time"), "#bc4c00", of(|t| share(t.planned_on_time, t.planned_on_time + t.planned_late))),
        ], true))
    }
}

fn formula(page: &Page<'_>) -> Markup {
    let part = |k: &str| match (k, page.locale) {
        ("verification", Locale::Id | Locale::Ban) => "verifikasi tepat waktu (3 hari kerja)",
        ("verification", Locale::En) => "verification on time (3 working days)",
        ("follow_up_plan", Locale::Id | Locale::Ban) => {
            "rencana tindak lanjut tepat waktu (5 hari kerja)"
        }
        ("follow_up_plan", Locale::En) => "follow-up plan on time (5 working days)",
        ("resolution", Locale::Id | Locale::Ban) => {
            "selesai, dari yang selesai ditambah yang masih terbuka dan lewat tenggat"
        }
        ("resolution", Locale::En) => {
            "resolved, of those resolved and those open past their due date"
        }
        ("rating", Locale::Id | Locale::Ban) => "penilaian pelapor, (rata-rata − 1) ÷ 4",
        ("rating", Locale::En) => "reporters' rating, (average − 1) ÷ 4",
        ("connectivity", Locale::Id | Locale::Ban) => {
            "widget bekerja 7 hari terakhir (½) dan tautan LAPOR/webhook tanpa pesan tertahan (½)"
        }
        ("connectivity", Locale::En) => {
            "widget seen working in the last 7 days (½) and a LAPOR/webhook link with nothing parked (½)"
        }
        (_, Locale::Id | Locale::Ban) => {
            "keaktifan petugas: 1 bila bertindak ≤ 7 hari lalu, 0 setelah 30 hari"
        }
        (_, Locale::En) => "officer activity: 1 when they acted ≤ 7 days ago, 0 after 30 days",
    };
    html! {
        details.formula {
            summary { (page.t("Cara indeks kepatuhan dihitung", "How the compliance index is computed")) }
            p { (page.t(
                "Indeks = 100 × Σ (bobot × nilai) ÷ Σ bobot, atas bagian yang ada datanya. Setiap nilai antara 0 dan 1:",
                "Index = 100 × Σ (weight × share) ÷ Σ weight, over the parts that have data. Each share lies between 0 and 1:")) }
            table {
                thead { tr { th scope="col" { (page.t("Bagian", "Part")) } th scope="col" { (page.t("Bobot", "Weight")) } } }
                tbody { @for (k, w) in WEIGHTS { tr { td { (part(k)) } td.num { (w) } } } }
            }
            p { (page.t(
                "Rentang indeks memakai interval Wilson 95% untuk setiap rasio. Zona: hijau 78–100, kuning 55 sampai di bawah 78, merah di bawah 55.",
                "The index's range uses the 95% Wilson interval of each rate. Zones: green 78–100, yellow 55 to below 78, red below 55.")) " "
                (page.t("Wilayah dengan kurang dari", "Regions with fewer than")) " " (MIN_RANKED) " "
                (page.t("pengaduan dalam periode ditandai, tidak diperingkat.", "complaints in the period are marked, not ranked.")) }
            p { (page.t(
                "Setiap pengaduan dihitung pada periode saat diterima. Hari kerja tidak termasuk Sabtu, Minggu dan hari libur daerah.",
                "Each complaint counts in the period it was received in. Working days leave out Saturdays, Sundays and the region's holidays.")) }
        }
    }
}

async fn handed_off_notice(state: &AppState, page: &Page<'_>, sel: &Selection) -> Markup {
    let Some(region) = &sel.region else {
        return html! {};
    };
    // Counted over the whole months the period touches: a count for any
    // single day would tell which day a whistleblower came.
    let first = Grain::Month.start(sel.from);
    let after = Grain::Month.start(Grain::Month.start(sel.to).add_days(31));
    let offset = i64::from(page.catalog.settings.timezone_offset_minutes) * 60_000;
    let start = first.to_days() * 86_400_000 - offset;
    let end = after.to_days() * 86_400_000 - offset;
    match state.store.handed_off(region, start, end).await {
        Ok(0) | Err(_) => html! {},
        Ok(n) => html! {
            p.notice {
                (n) " " (page.t(
                    "pengaduan rahasia dari wilayah ini diserahkan ke Unit Saber Pungli provinsi dalam bulan-bulan periode ini",
                    "confidential complaints from this region were handed to the province's Saber Pungli unit in the months of this period"))
                " (" (first) " – " (after.add_days(-1)) "). "
                (page.t(
                    "Hanya petugas yang menanganinya yang membaca isinya dan tahu penanganannya; angka wilayah ini tidak memuatnya.",
                    "Only the officers who handle them read them and know how they are handled; this region's figures here leave them out."))
            }
        },
    }
}

fn filters(page: &Page<'_>, sel: &Selection, raw: &PerformanceQuery) -> Markup {
    let every = page.who.scope(page.catalog).region.is_none();
    let from = if raw.from.is_empty() {
        sel.from.to_string()
    } else {
        raw.from.clone()
    };
    let to = if raw.to.is_empty() {
        sel.to.to_string()
    } else {
        raw.to.clone()
    };
    html! {
        form.filters method="get" action="/console/performance" {
            label { (page.t("Diterima dari", "Received from")) input type="date" name="from" value=(from) required; }
            label { (page.t("sampai", "through")) input type="date" name="to" value=(to) required; }
            @if every {
                label { (page.t("Wilayah", "Region"))
                    select name="region" {
                        option value="" { (page.t("Semua wilayah", "Every region")) }
                        @for r in &page.catalog.regions {
                            option value=(r.slug) selected[sel.region.as_deref() == Some(r.slug.as_str())] { (r.name) }
                        }
                    }
                }
            }
            label { (page.t("Tren per", "Trend by"))
                select name="grain" {
                    option value="week" selected[sel.grain == Grain::Week] { (page.t("minggu", "week")) }
                    option value="month" selected[sel.grain == Grain::Month] { (page.t("bulan", "month")) }
                }
            }
            button type="submit" { (page.t("Tampilkan", "Show")) }
        }
    }
}

/// The ranked regions, best first.
fn ranked(r: &Report) -> Vec<&Line> {
    let mut ranked: Vec<&Line> = r.lines.iter().filter(|l| l.rank.is_some()).collect();
    ranked.sort_by_key(|l| l.rank);
    ranked
}

/// The dashboard page.
fn page_markup(
    page: &Page<'_>,
    sel: &Selection,
    raw: &PerformanceQuery,
    r: &Report,
    handed: Markup,
) -> Markup {
    let title = page.t(
        "Kinerja penanganan pengaduan",
        "Complaint handling performance",
    );
    let q = sel.query();
    let month = format!("{:04}-{:02}", sel.to.year(), sel.to.month());
    html! {
        h1 { (title) }
        p.lead {
            @match &sel.region { Some(region) => { (page.region_name(region)) " · " (page.t("per unit", "by unit")) }, None => { (page.t("Semua wilayah", "Every region")) } }
            " · " (page.t("diterima", "received")) " " (sel.from) " – " (sel.to)
        }
        (filters(page, sel, raw))
        p.downloads {
            a href=(format!("/console/performance.csv?{q}")) download { (page.t("Unduh CSV", "Download CSV")) }
            " · " a href=(format!("/console/performance.xlsx?{q}")) download { (page.t("Unduh XLSX", "Download XLSX")) }
            " · " a href=(format!("/console/performance/complaints.csv?{q}")) download { (page.t("Unduh per pengaduan (CSV)", "Download per complaint (CSV)")) }
            @if let Some(region) = &sel.region {
                " · " a href=(format!("/console/performance/report?region={region}&month={month}")) { (page.t("Laporan bulanan", "Monthly report")) }
            }
        }
        (handed)
        div.wide {
            table.performance {
                caption { (title) }
                thead { (headings(page, r.by_unit)) }
                tbody { @for line in &r.lines { (row(page, sel, line, false)) } }
                tfoot { (row(page, sel, &r.total, true)) }
            }
        }
        @if sel.region.is_none() {
            @let ranked = ranked(r);
            h2 { (page.t("Peringkat indeks", "Index ranking")) }
            ol.ranking {
                @for l in &ranked {
                    @if let Some(ix) = l.index {
                        li { (page.region_name(&l.region)) ": " strong { (format!("{:.1}", ix.value)) } " (" (format!("{:.1}–{:.1}", ix.low, ix.high)) ", " (zone_name(ix.zone(), page.locale)) ")" }
                    }
                }
            }
            @let few: Vec<&Line> = r.lines.iter().filter(|l| l.rank.is_none() && l.too_few()).collect();
            @if !few.is_empty() {
                p { (page.t("Belum diperingkat (kurang dari", "Not ranked (fewer than")) " " (MIN_RANKED) " " (page.t("pengaduan):", "complaints):")) " "
                    @for (i, l) in few.iter().enumerate() { @if i > 0 { ", " } (page.region_name(&l.region)) } }
            }
        }
        h2 { (page.t("Tren", "Trend")) }
        (trend_charts(page, r))
        (formula(page))
    }
}

async fn report_for(
    state: &AppState,
    locale: Locale,
    who: &SignedIn,
    q: &PerformanceQuery,
) -> Result<(std::sync::Arc<Catalog>, Selection, Report), Response> {
    if !allowed(who) {
        return Err(forbidden(locale, Some(who)));
    }
    let catalog = state.catalog();
    let today = catalog.today(now_ms());
    let sel = match select(who, &catalog, q, today) {
        Ok(sel) => sel,
        Err((id, en)) => {
            let page = Page::new(locale, who, &catalog);
            return Err(pages::html(
                StatusCode::UNPROCESSABLE_ENTITY,
                page.layout(
                    page.t("Kinerja penanganan pengaduan", "Complaint handling performance"),
                    html! {
                        h1 { (page.t("Kinerja penanganan pengaduan", "Complaint handling performance")) }
                        p.error role="alert" { (pages::t(locale, id, en)) }
                        p { a href="/console/performance" { (page.t("Kembali ke 90 hari terakhir", "Back to the last 90 days")) } }
                    },
                ),
            ));
        }
    };
    match build(state, &catalog, &sel, reading(who, &catalog)).await {
        Ok(r) => Ok((catalog, sel, r)),
        Err(e) => Err(store_failed(locale, &e)),
    }
}

/// `GET /console/performance`.
pub async fn show(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    who: SignedIn,
    Query(q): Query<PerformanceQuery>,
) -> Response {
    let (catalog, sel, r) = match report_for(&state, locale, &who, &q).await {
        Ok(x) => x,
        Err(response) => return response,
    };
    let page = Page::new(locale, &who, &catalog);
    let handed = handed_off_notice(&state, &page, &sel).await;
    pages::html(
        StatusCode::OK,
        page.layout(
            page.t("Kinerja", "Performance"),
            page_markup(&page, &sel, &q, &r, handed),
        ),
    )
}

/// A cell as a spreadsheet must not read it: text starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return is a formula to some programs, so
/// it gets a leading apostrophe.
pub fn neutralise(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// One CSV field: neutralised, and quoted when it needs to be. A program
/// that splits on `;` or tabs (spreadsheets set for Indonesian split on
/// `;`) would start a new cell after each: a formula character there is
/// neutralised too.
fn csv_field(text: &str) -> String {
    let mut text = neutralise(text);
    for sep in [';', '\t', '|'] {
        for c in ['=', '+', '-', '@'] {
            text = text.replace(&format!("{sep}{c}"), &format!("{sep}'{c}"));
        }
    }
    if text.contains([',', ';', '"', '\n', '\r', '\t']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The header and rows an export of the report holds: the same cells the
/// page shows, with each line's key before its name.
pub fn export_rows(page: &Page<'_>, r: &Report) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header = vec![
        if r.by_unit { "unit" } else { "region" }.to_owned(),
        "name".to_owned(),
    ];
    header.extend(COLUMNS.iter().skip(1).map(|c| c.0.to_owned()));
    let mut rows = Vec::new();
    for line in r.lines.iter().chain([&r.total]) {
        let total = std::ptr::eq(line, &r.total);
        let name = if total {
            page.t("Jumlah", "Total").to_owned()
        } else {
            line_name(page, line)
        };
        let mut cells = vec![if total {
            "total".to_owned()
        } else {
            line_key(line)
        }];
        cells.extend(line.cells(&name).into_iter().map(|c| c.text));
        rows.push(cells);
    }
    (header, rows)
}

fn csv_body(header: &[String], rows: &[Vec<String>]) -> String {
    // A byte order mark, so spreadsheet programs read UTF-8.
    let mut out = String::from("\u{feff}");
    for line in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let fields: Vec<String> = line.iter().map(|f| csv_field(f)).collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    }
    out
}

fn file_name(sel: &Selection, what: &str, ext: &str) -> String {
    format!(
        "aduan-{what}-{}-{}-{}.{ext}",
        sel.region.as_deref().unwrap_or("bali"),
        sel.from,
        sel.to
    )
}

fn download(body: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

/// `GET /console/performance.csv`: the page's figures.
pub async fn csv(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    who: SignedIn,
    Query(q): Query<PerformanceQuery>,
) -> Response {
    match figures(&state, locale, &who, &q).await {
        Ok((sel, header, rows)) => download(
            csv_body(&header, &rows).into_bytes(),
            "text/csv; charset=utf-8",
            &file_name(&sel, "performance", "csv"),
        ),
        Err(response) => response,
    }
}

/// The page's figures as an export writes them: the header and the rows.
async fn figures(
    state: &AppState,
    locale: Locale,
    who: &SignedIn,
    q: &PerformanceQuery,
) -> Result<(Selection, Vec<String>, Vec<Vec<String>>), Response> {
    let (catalog, sel, r) = report_for(state, locale, who, q).await?;
    let (header, rows) = export_rows(&Page::new(locale, who, &catalog), &r);
    Ok((sel, header, rows))
}

/// `GET /console/performance.xlsx`: the page's figures as a workbook
/// (numbers as numbers, text as text: no cell is ever a formula).
pub async fn xlsx(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    who: SignedIn,
    Query(q): Query<PerformanceQuery>,
) -> Response {
    let (sel, header, rows) = match figures(&state, locale, &who, &q).await {
        Ok(x) => x,
        Err(response) => return response,
    };
    match workbook(&header, &rows) {
        Ok(bytes) => download(
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &file_name(&sel, "performance", "xlsx"),
        ),
        Err(e) => {
            tracing::error!(error = %e, "console: the workbook could not be written");
            store_failed(
                locale,
                &crate::store::StoreError::Unavailable("the workbook could not be written".into()),
            )
        }
    }
}

/// Writes rows to a one-sheet workbook.
pub fn workbook(
    header: &[String],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Aduan")?;
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, h)?;
    }
    for (r, line) in rows.iter().enumerate() {
        for (c, text) in line.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match text.parse::<f64>() {
                Ok(n) if n.is_finite() && c > 0 => {
                    sheet.write_number(r, c, n)?;
                }
                _ => {
                    sheet.write_string(r, c, text)?;
                }
            }
        }
    }
    book.save_to_buffer()
}

/// `GET /console/performance/complaints.csv`: one row per complaint
/// received in the period, for the region's own analysis. What each row
/// carries is the disclosure policy's (`Audience::Export`): figures and
/// routing, the title unless confidential, never a tracking code, a name
/// or anybody's words.
pub async fn complaints_csv(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    who: SignedIn,
    Query(q): Query<PerformanceQuery>,
) -> Response {
    if !allowed(&who) {
        return forbidden(locale, Some(&who));
    }
    let catalog = state.catalog();
    let today = catalog.today(now_ms());
    let sel = match select(&who, &catalog, &q, today) {
        Ok(sel) => sel,
        Err((id, en)) => {
            return (StatusCode::UNPROCESSABLE_ENTITY, pages::t(locale, id, en)).into_response();
        }
    };
    let mut filter = sel.filter();
    filter.by_unit = false;
    let rows = match state.store.stats_export(&filter, EXPORT_MAX + 1).await {
        Ok(rows) => rows,
        Err(e) => return store_failed(locale, &e),
    };
    if rows.len() as i64 > EXPORT_MAX {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            pages::t(
                locale,
                "Lebih dari 100.000 pengaduan: persempit periodenya.",
                "More than 100,000 complaints: choose a shorter period.",
            ),
        )
            .into_response();
    }
    let header: Vec<String> = [
        "public_id",
        "received",
        "region",
        "handled_by",
        "unit",
        "category",
        "channel",
        "privacy",
        "title",
        "status",
        "verification",
        "follow_up_plan",
        "days_to_first_reply",
        "days_to_resolution",
        "outcome",
        "reopened",
        "rating",
    ]
    .map(str::to_owned)
    .to_vec();
    // A complaint another region's officers hold (handed to the province)
    // is only a number to this region's: it is counted, not listed.
    let scope = who.scope(&catalog);
    let out: Vec<Vec<String>> = rows
        .into_iter()
        .filter(|r| scope.region.as_ref().is_none_or(|own| *own == r.handled_by))
        // Nor a confidential complaint to a viewer whose lists leave them out.
        .filter(|r| scope.confidential || !r.confidential)
        .map(|r| {
            let privacy = aduan_app::api::Privacy::of(r.anonymous, r.confidential);
            let may = |f| crate::disclosure::may(Audience::Export, privacy, f);
            let opt = |v: Option<i32>| v.map_or_else(String::new, |v| v.to_string());
            vec![
                if may(Field::PublicId) {
                    r.public_id
                } else {
                    String::new()
                },
                r.day,
                r.region_slug,
                r.handled_by,
                r.unit_key,
                r.category_key,
                r.channel,
                privacy.key().to_owned(),
                if may(Field::Title) {
                    r.title
                } else {
                    String::new()
                },
                r.status,
                r.verification,
                r.plan,
                opt(r.first_reply_days),
                opt(r.resolution_days),
                r.outcome,
                r.reopened.to_string(),
                opt(r.rating),
            ]
        })
        .collect();
    download(
        csv_body(&header, &out).into_bytes(),
        "text/csv; charset=utf-8",
        &file_name(&sel, "complaints", "csv"),
    )
}

/// `GET /console/performance/report?region=…&month=YYYY-MM`: a printable
/// monthly report for the evaluators' forms.
pub async fn monthly(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    who: SignedIn,
    Query(q): Query<PerformanceQuery>,
) -> Response {
    if !allowed(&who) {
        return forbidden(locale, Some(&who));
    }
    let catalog = state.catalog();
    let today = catalog.today(now_ms());
    let month = q.month.trim();
    let first = if month.is_empty() {
        Date::new(today.year(), today.month(), 1).unwrap_or(today)
    } else {
        match Date::parse(&format!("{month}-01")).filter(|_| month.len() == 7) {
            Some(first) => first,
            None => {
                let page = Page::new(locale, &who, &catalog);
                return pages::html(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    page.layout(
                        page.t("Laporan bulanan", "Monthly report"),
                        html! { p.error role="alert" { (page.t(
                        "Bulan ditulis TTTT-BB, misalnya 2026-11.",
                        "A month is written YYYY-MM, for example 2026-11.")) } },
                    ),
                );
            }
        }
    };
    let last = report::Grain::Month.start(first.add_days(31)).add_days(-1);
    let asked = PerformanceQuery {
        from: first.to_string(),
        to: last.to_string(),
        region: q.region.clone(),
        grain: "week".into(),
        month: String::new(),
    };
    let (catalog, sel, r) = match report_for(&state, locale, &who, &asked).await {
        Ok(x) => x,
        Err(response) => return response,
    };
    let Some(region) = sel.region.clone() else {
        let page = Page::new(locale, &who, &catalog);
        return pages::html(
            StatusCode::UNPROCESSABLE_ENTITY,
            page.layout(
                page.t("Laporan bulanan", "Monthly report"),
                html! { p.error role="alert" { (page.t("Pilih satu wilayah untuk laporan bulanan.", "Choose one region for the monthly report.")) } },
            ),
        );
    };
    // The region's own line (with its index): from the regions' report for
    // a viewer of every region (with its rank), else from its own units.
    let region_line = match reading(&who, &catalog) {
        Reading::Full => {
            let whole = Selection {
                region: None,
                ..sel.clone()
            };
            build(&state, &catalog, &whole, Reading::Full)
                .await
                .map(|all| all.lines.into_iter().find(|l| l.region == region))
        }
        _ => build(&state, &catalog, &sel, Reading::OwnRegionLine)
            .await
            .map(|one| one.lines.into_iter().next()),
    };
    let region_line = match region_line {
        Ok(line) => line,
        Err(e) => return store_failed(locale, &e),
    };
    let page = Page::new(locale, &who, &catalog);
    let handed = handed_off_notice(&state, &page, &sel).await;
    let month_name = format!("{:04}-{:02}", first.year(), first.month());
    let cells = region_line
        .as_ref()
        .map(|l| l.cells(&page.region_name(&region)))
        .unwrap_or_default();
    let categories = r.total.tally.categories.clone();
    pages::html(
        StatusCode::OK,
        page.layout(
            page.t("Laporan bulanan", "Monthly report"),
            html! {
                article.report {
                    h1 { (page.t("Laporan bulanan penanganan pengaduan", "Monthly report on complaint handling")) }
                    p.lead { strong { (page.region_name(&region)) } " · " (month_name) " (" (sel.from) " – " (sel.to) ")" }
                    p.when { (page.t("Dibuat", "Prepared")) " " (aduan_app::date::rfc3339(now_ms())) " · Aduan" }
                    @if let Some(ix) = region_line.as_ref().and_then(|l| l.index) {
                        p.index class=(format!("zone-{}", ix.zone().key())) {
                            (page.t("Indeks kepatuhan", "Compliance index")) ": " strong { (format!("{:.1}", ix.value)) }
                            " (" (page.t("rentang", "range")) " " (format!("{:.1}–{:.1}", ix.low, ix.high)) ", " (zone_name(ix.zone(), locale)) ")"
                        }
                    }
                    (handed)
                    h2 { (page.t("Indikator", "Indicators")) }
                    table.facts-table {
                        tbody {
                            @for ((_, id, en), cell) in COLUMNS.iter().zip(&cells).skip(1) {
                                tr { th scope="row" { (pages::t(locale, id, en)) } td.num { (if cell.text.is_empty() { "–" } else { cell.text.as_str() }) } }
                            }
                        }
                    }
                    h2 { (page.t("Per unit", "By unit")) }
                    div.wide {
                        table.performance {
                            thead { (headings(&page, true)) }
                            tbody { @for line in &r.lines { @if line.tally.received > 0 || line.live.overdue > 0 { (row(&page, &sel, line, false)) } } }
                            tfoot { (row(&page, &sel, &r.total, true)) }
                        }
                    }
                    h2 { (page.t("Per kategori", "By category")) }
                    table {
                        thead { tr { th scope="col" { (page.t("Kategori", "Category")) } th scope="col" { (page.t("Diterima", "Received")) } th scope="col" { (page.t("Selesai", "Resolved")) } } }
                        tbody { @for (key, c) in &categories { tr { th scope="row" { (page.category_name(key)) } td.num { (c.received) } td.num { (c.resolved) } } } }
                    }
                    h2 { (page.t("Tren per minggu", "Trend by week")) }
                    (trend_charts(&page, &r))
                    (formula(&page))
                    div.signatures {
                        p { (page.t("Disusun oleh", "Prepared by")) br; br; br; "(............................................)" }
                        p { (page.t("Mengetahui", "Acknowledged by")) br; br; br; "(............................................)" }
                    }
                }
            },
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_are_neutralised() {
        for (cell, safe) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+62 812", "'+62 812"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("Kabupaten Badung", "Kabupaten Badung"),
            ("12.5", "12.5"),
            ("", ""),
        ] {
            assert_eq!(neutralise(cell), safe, "{cell:?}");
        }
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=1,2"), "\"'=1,2\"");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(
            csv_field("Jalan rusak;=WEBSERVICE(1)"),
            "\"Jalan rusak;'=WEBSERVICE(1)\""
        );
        assert_eq!(csv_field("a\t+b"), "\"a\t'+b\"");
        assert_eq!(csv_field("a;b"), "\"a;b\"");
    }

    #[test]
    fn a_csv_starts_with_a_byte_order_mark_and_ends_lines_with_crlf() {
        let body = csv_body(
            &["region".into(), "name".into()],
            &[vec!["badung".into(), "=x".into()]],
        );
        assert_eq!(body, "\u{feff}region,name\r\nbadung,'=x\r\n");
    }

    #[test]
    fn a_workbook_holds_numbers_as_numbers_and_text_as_text() {
        use calamine::Reader;
        let bytes = workbook(
            &["region".into(), "received".into(), "name".into()],
            &[vec!["badung".into(), "12".into(), "=1+1".into()]],
        )
        .unwrap_or_default();
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
        let sheet = book.worksheet_range("Aduan").expect("the sheet");
        assert_eq!(sheet.get((1, 1)), Some(&calamine::Data::Float(12.0)));
        assert_eq!(
            sheet.get((1, 2)),
            Some(&calamine::Data::String("=1+1".into()))
        );
        assert_eq!(
            sheet.get((1, 0)),
            Some(&calamine::Data::String("badung".into()))
        );
        let formulas = book.worksheet_formula("Aduan").expect("formulas");
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "no formula"
        );
    }
}
