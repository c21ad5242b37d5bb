//! The figures a dashboard, an export or the public page shows: rows per
//! region (or per unit of one region), the total, and the trend by week
//! or month. The page, the CSV and the XLSX all print [`Report::table`],
//! so they show the same figures by construction.

use std::collections::BTreeMap;

use aduan_app::date::Date;

use super::index::{self, Index, MIN_RANKED, Part, Parts, Rate};
use super::tally::{self, Tally};
use super::{DayRow, LiveRow, PulseRow};

/// How the trend is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grain {
    Week,
    Month,
}

impl Grain {
    pub fn key(self) -> &'static str {
        match self {
            Grain::Week => "week",
            Grain::Month => "month",
        }
    }

    pub fn from_key(key: &str) -> Option<Grain> {
        match key {
            "week" => Some(Grain::Week),
            "month" => Some(Grain::Month),
            _ => None,
        }
    }

    /// The first day of the week (Monday) or month `day` falls in.
    pub fn start(self, day: Date) -> Date {
        match self {
            Grain::Week => day.add_days(-i64::from(day.weekday() as u8)),
            Grain::Month => Date::new(day.year(), day.month(), 1).unwrap_or(day),
        }
    }
}

/// A region's signs of life as the index reads them.
#[derive(Debug, Clone, PartialEq)]
pub struct Signs {
    pub mode: String,
    pub widget_seen: bool,
    pub parked: i64,
    /// The local day of the last message delivered to its portal.
    pub last_delivery: Option<Date>,
    /// Days since an officer last acted; `None` when none ever did.
    pub days_since_action: Option<f64>,
}

/// One line of the table: a region, or a unit of one region.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub region: String,
    /// Set on a unit's line.
    pub unit: Option<String>,
    pub tally: Tally,
    pub live: LiveRow,
    /// Set on a region's line.
    pub signs: Option<Signs>,
    pub parts: Parts,
    pub index: Option<Index>,
    /// 1 for the best; `None` when too few complaints to rank.
    pub rank: Option<usize>,
}

impl Line {
    fn new(region: &str, unit: Option<&str>) -> Line {
        Line {
            region: region.to_owned(),
            unit: unit.map(str::to_owned),
            tally: Tally::default(),
            live: LiveRow::default(),
            signs: None,
            parts: Parts::default(),
            index: None,
            rank: None,
        }
    }

    pub fn verification(&self) -> Rate {
        let t = &self.tally;
        Rate::new(
            t.verified_on_time,
            t.verified_on_time + t.verified_late + self.live.verification_late,
        )
    }

    pub fn follow_up_plan(&self) -> Rate {
        let t = &self.tally;
        Rate::new(
            t.planned_on_time,
            t.planned_on_time + t.planned_late + self.live.plan_late,
        )
    }

    /// Resolved, of those resolved or open past their due date today (a
    /// complaint still within its time counts neither way).
    pub fn resolution(&self) -> Rate {
        Rate::new(self.tally.resolved, self.tally.resolved + self.live.overdue)
    }

    pub fn templates(&self) -> Rate {
        Rate::new(self.tally.template_followups, self.tally.followups)
    }

    pub fn rating_average(&self) -> Option<f64> {
        (self.tally.rated > 0).then(|| self.tally.rating_sum as f64 / self.tally.rated as f64)
    }

    /// Too few complaints to rank fairly.
    pub fn too_few(&self) -> bool {
        self.tally.received < MIN_RANKED
    }

    fn score(&mut self) {
        let t = &self.tally;
        self.parts = Parts {
            verification: Part::of_rate(self.verification()),
            follow_up_plan: Part::of_rate(self.follow_up_plan()),
            resolution: Part::of_rate(self.resolution()),
            rating: index::rating_part(t.rated, t.rating_sum),
            connectivity: self
                .signs
                .as_ref()
                .map(|s| index::connectivity_part(s.widget_seen, &s.mode, s.parked)),
            activity: self
                .signs
                .as_ref()
                .filter(|_| t.received > 0 || self.live.overdue > 0)
                .map(|s| index::activity_part(s.days_since_action)),
        };
        self.index = index::index(&self.parts);
    }
}

/// The figures for a scope and a period.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub from: Date,
    pub to: Date,
    pub by_unit: bool,
    pub lines: Vec<Line>,
    pub total: Line,
    pub grain: Grain,
    /// The whole scope per week or month: its first day and its sum.
    pub trend: Vec<(Date, Tally)>,
}

/// What a report is built from.
#[derive(Debug)]
pub struct Inputs<'a> {
    pub from: Date,
    pub to: Date,
    pub by_unit: bool,
    pub grain: Grain,
    /// Every line to show, in order, even those with nothing in the period.
    pub keys: Vec<(String, Option<String>)>,
    pub days: &'a [DayRow],
    pub live: &'a [LiveRow],
    pub pulses: &'a [PulseRow],
    pub now_ms: i64,
    /// The local time zone, for the days of signs of life.
    pub offset_minutes: i32,
}

/// Builds the report; a row of the sums that cannot be read is an error.
pub fn build(inputs: Inputs<'_>) -> Result<Report, String> {
    let mut lines: BTreeMap<(String, Option<String>), Line> = inputs
        .keys
        .iter()
        .map(|(r, u)| ((r.clone(), u.clone()), Line::new(r, u.as_deref())))
        .collect();
    let mut trend: BTreeMap<Date, Tally> = BTreeMap::new();
    let mut start = inputs.grain.start(inputs.from);
    while start <= inputs.to {
        trend.insert(start, Tally::default());
        start = match inputs.grain {
            Grain::Week => start.add_days(7),
            Grain::Month => Grain::Month.start(start.add_days(32)),
        };
    }
    let mut total = Line::new("", None);
    for row in inputs.days {
        let t = Tally::decode(&row.tally)?;
        let key = (
            row.region_slug.clone(),
            inputs.by_unit.then(|| row.unit_key.clone()),
        );
        if let Some(line) = lines.get_mut(&key) {
            line.tally.add(&t, 1);
        }
        let day = Date::parse(&row.day).ok_or_else(|| format!("day `{}`", row.day))?;
        trend.entry(inputs.grain.start(day)).or_default().add(&t, 1);
        total.tally.add(&t, 1);
    }
    for row in inputs.live {
        let key = (
            row.region_slug.clone(),
            inputs.by_unit.then(|| row.unit_key.clone()),
        );
        for line in [lines.get_mut(&key), Some(&mut total)]
            .into_iter()
            .flatten()
        {
            line.live.verification_late += row.verification_late;
            line.live.plan_late += row.plan_late;
            line.live.overdue += row.overdue;
        }
    }
    if !inputs.by_unit {
        for p in inputs.pulses {
            if let Some(line) = lines.get_mut(&(p.region_slug.clone(), None)) {
                let week = 7 * 86_400_000;
                line.signs = Some(Signs {
                    mode: p.integration_mode.clone(),
                    widget_seen: p.widget_at.is_some_and(|at| inputs.now_ms - at <= week),
                    parked: p.parked,
                    last_delivery: p.delivered_at.map(|at| Date::at(at, inputs.offset_minutes)),
                    days_since_action: p
                        .officer_at
                        .map(|at| ((inputs.now_ms - at).max(0) as f64) / 86_400_000.0),
                });
            }
        }
    }
    let mut lines: Vec<Line> = inputs.keys.iter().filter_map(|k| lines.remove(k)).collect();
    for line in &mut lines {
        line.score();
    }
    total.score();
    // Rank regions with enough complaints by index, then by the low end of
    // its range (the more certain first). Units are not ranked.
    let mut ranked: Vec<usize> = (0..lines.len())
        .filter(|&i| !inputs.by_unit && !lines[i].too_few() && lines[i].index.is_some())
        .collect();
    ranked.sort_by(|&a, &b| {
        let (ia, ib) = (lines[a].index, lines[b].index);
        let key = |i: Option<Index>| i.map_or((0.0, 0.0), |i| (i.value, i.low));
        key(ib)
            .partial_cmp(&key(ia))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    for (place, i) in ranked.into_iter().enumerate() {
        lines[i].rank = Some(place + 1);
    }
    Ok(Report {
        from: inputs.from,
        to: inputs.to,
        by_unit: inputs.by_unit,
        lines,
        total,
        grain: inputs.grain,
        trend: trend.into_iter().collect(),
    })
}

/// A figure as tables print it, and the complaints it counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    /// The inbox filter (`measure=…`) listing the complaints it counts.
    pub measure: Option<&'static str>,
}

fn cell(text: impl Into<String>) -> Cell {
    Cell {
        text: text.into(),
        measure: None,
    }
}

fn count(n: i64, measure: &'static str) -> Cell {
    Cell {
        text: n.to_string(),
        measure: Some(measure),
    }
}

/// A share as a percentage with one decimal, empty without data.
pub fn pct(rate: Rate) -> String {
    rate.share()
        .map_or_else(String::new, |s| format!("{:.1}", 100.0 * s))
}

fn days(v: Option<u32>) -> String {
    v.map_or_else(String::new, |d| d.to_string())
}

/// The columns, in order: the key CSV readers rely on, and the heading in
/// Indonesian and English.
pub const COLUMNS: [(&str, &str, &str); 33] = [
    ("region", "Wilayah", "Region"),
    ("received", "Diterima", "Received"),
    ("widget", "Lewat widget", "By widget"),
    ("hosted", "Lewat formulir", "By hosted form"),
    ("api", "Lewat API", "By API"),
    ("open311", "Lewat Open311", "By Open311"),
    ("lapor", "Lewat LAPOR", "By LAPOR"),
    (
        "verified_on_time",
        "Diverifikasi tepat waktu",
        "Verified on time",
    ),
    (
        "verified_on_time_pct",
        "% verifikasi tepat waktu",
        "% verified on time",
    ),
    (
        "follow_up_on_time",
        "Rencana tindak lanjut tepat waktu",
        "Follow-up plans on time",
    ),
    (
        "follow_up_on_time_pct",
        "% rencana tepat waktu",
        "% follow-up plans on time",
    ),
    ("resolved", "Selesai", "Resolved"),
    ("resolved_pct", "% selesai", "% resolved"),
    (
        "closed_confirmed",
        "Ditutup atas konfirmasi pelapor",
        "Closed by the reporter",
    ),
    (
        "closed_quiet",
        "Ditutup karena tanpa tanggapan",
        "Closed after the quiet period",
    ),
    ("reopened", "Dibuka kembali", "Reopened"),
    ("rejected", "Ditolak", "Rejected"),
    ("overdue", "Terlambat saat ini", "Overdue now"),
    (
        "median_days_to_first_reply",
        "Median hari kerja ke balasan pertama",
        "Median working days to first reply",
    ),
    (
        "p90_days_to_first_reply",
        "P90 hari kerja ke balasan pertama",
        "P90 working days to first reply",
    ),
    (
        "median_days_to_resolution",
        "Median hari kerja ke penyelesaian",
        "Median working days to resolution",
    ),
    (
        "p90_days_to_resolution",
        "P90 hari kerja ke penyelesaian",
        "P90 working days to resolution",
    ),
    (
        "template_followups_pct",
        "% tindak lanjut berupa templat",
        "% template follow-ups",
    ),
    ("rating_avg", "Rata-rata penilaian", "Average rating"),
    ("ratings", "Jumlah penilaian", "Ratings"),
    ("integration_mode", "Keterhubungan", "Integration"),
    (
        "last_delivery",
        "Terakhir terkirim ke portal",
        "Last delivered to the portal",
    ),
    ("parked", "Pesan tertahan", "Parked messages"),
    (
        "widget_seen_7d",
        "Widget bekerja (7 hari)",
        "Widget seen (7 days)",
    ),
    (
        "days_since_officer_action",
        "Hari sejak tindakan petugas",
        "Days since an officer acted",
    ),
    ("index", "Indeks kepatuhan", "Compliance index"),
    ("index_range", "Rentang indeks (95%)", "Index range (95%)"),
    ("rank", "Peringkat", "Rank"),
];

impl Line {
    /// The line's cells, in the order of [`COLUMNS`]; `name` is the first.
    pub fn cells(&self, name: &str) -> Vec<Cell> {
        let t = &self.tally;
        let index = self.index;
        vec![
            cell(name),
            count(t.received, "received"),
            count(t.channels[0], "channel_widget"),
            count(t.channels[1], "channel_hosted"),
            count(t.channels[2], "channel_api"),
            count(t.channels[3], "channel_open311"),
            count(t.channels[4], "channel_lapor"),
            count(t.verified_on_time, "verified_on_time"),
            Cell {
                text: pct(self.verification()),
                measure: Some("verification_missed"),
            },
            count(t.planned_on_time, "planned_on_time"),
            Cell {
                text: pct(self.follow_up_plan()),
                measure: Some("plan_missed"),
            },
            count(t.resolved, "resolved"),
            cell(pct(self.resolution())),
            count(t.closed_confirmed, "closed_confirmed"),
            count(t.closed_quiet, "closed_quiet"),
            count(t.reopened, "reopened"),
            count(t.rejected, "rejected"),
            count(self.live.overdue, "overdue"),
            cell(days(tally::quantile(&t.reply_days, 0.5))),
            cell(days(tally::quantile(&t.reply_days, 0.9))),
            cell(days(tally::quantile(&t.resolution_days, 0.5))),
            cell(days(tally::quantile(&t.resolution_days, 0.9))),
            cell(pct(self.templates())),
            Cell {
                text: self
                    .rating_average()
                    .map_or_else(String::new, |r| format!("{r:.2}")),
                measure: (t.rated > 0).then_some("rated"),
            },
            count(t.rated, "rated"),
            cell(
                self.signs
                    .as_ref()
                    .map_or_else(String::new, |s| s.mode.clone()),
            ),
            cell(
                self.signs
                    .as_ref()
                    .and_then(|s| s.last_delivery)
                    .map_or_else(String::new, |d| d.to_string()),
            ),
            cell(
                self.signs
                    .as_ref()
                    .map_or_else(String::new, |s| s.parked.to_string()),
            ),
            cell(self.signs.as_ref().map_or_else(String::new, |s| {
                if s.widget_seen { "yes" } else { "no" }.to_owned()
            })),
            cell(
                self.signs
                    .as_ref()
                    .and_then(|s| s.days_since_action)
                    .map_or_else(String::new, |d| format!("{:.0}", d.floor())),
            ),
            cell(index.map_or_else(String::new, |i| format!("{:.1}", i.value))),
            cell(index.map_or_else(String::new, |i| format!("{:.1}–{:.1}", i.low, i.high))),
            cell(match (self.rank, self.too_few() && self.unit.is_none()) {
                (Some(r), _) => r.to_string(),
                (None, true) => "too_few".to_owned(),
                (None, false) => String::new(),
            }),
        ]
    }
}

impl Report {
    /// Every line's cells, named by `name` (region or unit key to a label).
    pub fn table(&self, name: impl Fn(&Line) -> String) -> Vec<Vec<Cell>> {
        self.lines.iter().map(|l| l.cells(&name(l))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::facts::{Fact, Outcome, Timing};

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap_or_else(|| Date::from_days(0))
    }

    fn fact(verification: Timing, outcome: Outcome, rating: Option<u8>) -> Tally {
        Tally::of(&Fact {
            complaint_id: 1,
            region: "badung".into(),
            unit: "pupr".into(),
            category: "jalan".into(),
            channel: "widget".into(),
            confidential: false,
            day: d("2026-11-02"),
            verification,
            plan: Timing::None,
            first_reply_days: Some(1),
            resolution_days: outcome.is_resolved().then_some(4),
            outcome,
            reopened: 0,
            followups: 0,
            template_followups: 0,
            rating,
            open_due: None,
            last_event_id: 1,
        })
    }

    fn row(region: &str, unit: &str, day: &str, t: &Tally) -> DayRow {
        DayRow {
            region_slug: region.into(),
            unit_key: unit.into(),
            day: day.into(),
            tally: t.encode(),
        }
    }

    fn times(t: &Tally, n: i64) -> Tally {
        let mut sum = Tally::default();
        sum.add(t, n);
        sum
    }

    #[test]
    fn regions_are_ranked_only_with_enough_complaints() {
        let good = times(&fact(Timing::OnTime, Outcome::Confirmed, Some(5)), 30);
        let poor = times(&fact(Timing::Late, Outcome::Open, Some(1)), 25);
        let few = times(&fact(Timing::OnTime, Outcome::Confirmed, Some(5)), 3);
        let days = [
            row("badung", "*", "2026-11-02", &good),
            row("buleleng", "*", "2026-11-03", &poor),
            row("bangli", "*", "2026-11-04", &few),
            row("badung", "*", "2026-12-01", &good),
        ];
        let keys = ["badung", "buleleng", "bangli", "denpasar"]
            .map(|r| (r.to_owned(), None))
            .to_vec();
        let report = build(Inputs {
            from: d("2026-11-01"),
            to: d("2026-11-30"),
            by_unit: false,
            grain: Grain::Week,
            keys,
            // The sums are read by day already; a row outside is the caller's mistake but still counts by its day.
            days: &days[..3],
            live: &[LiveRow {
                region_slug: "buleleng".into(),
                unit_key: "pupr".into(),
                verification_late: 5,
                plan_late: 0,
                overdue: 7,
            }],
            pulses: &[],
            now_ms: 0,
            offset_minutes: 480,
        });
        let report = report.unwrap_or_else(|e| panic!("{e}"));
        let by = |r: &str| report.lines.iter().find(|l| l.region == r).cloned();
        let badung = by("badung").unwrap_or_else(|| panic!("badung"));
        let buleleng = by("buleleng").unwrap_or_else(|| panic!("buleleng"));
        let bangli = by("bangli").unwrap_or_else(|| panic!("bangli"));
        assert_eq!(badung.rank, Some(1));
        assert_eq!(buleleng.rank, Some(2));
        assert_eq!(bangli.rank, None);
        assert!(bangli.too_few());
        assert_eq!(buleleng.live.overdue, 7);
        // 0 on time of 25 late and 5 owed.
        assert_eq!(buleleng.verification(), Rate::new(0, 30));
        assert_eq!(report.total.tally.received, 58);
        assert_eq!(report.total.live.overdue, 7);
        assert_eq!(
            report.lines.len(),
            4,
            "a region with nothing still has its line"
        );
        assert_eq!(report.lines[3].tally.received, 0);
        assert_eq!(report.lines[3].index, None);
        // Weeks from Monday 26 October through the week of 30 November.
        assert_eq!(report.trend.first().map(|t| t.0), Some(d("2026-10-26")));
        assert_eq!(report.trend.last().map(|t| t.0), Some(d("2026-11-30")));
        assert_eq!(report.trend.len(), 6);
        assert_eq!(report.trend[1].1.received, 58, "three days of one week");
        let cells = badung.cells("Badung");
        assert_eq!(cells.len(), COLUMNS.len());
        let col = |k: &str| COLUMNS.iter().position(|c| c.0 == k).unwrap_or(0);
        assert_eq!(cells[col("received")].text, "30");
        assert_eq!(cells[col("verified_on_time_pct")].text, "100.0");
        assert_eq!(cells[col("rating_avg")].text, "5.00");
        assert_eq!(cells[col("median_days_to_first_reply")].text, "1");
        assert_eq!(cells[col("median_days_to_resolution")].text, "4");
        assert_eq!(cells[col("rank")].text, "1");
        assert_eq!(bangli.cells("Bangli")[col("rank")].text, "too_few");
        assert_eq!(buleleng.cells("B")[col("verified_on_time_pct")].text, "0.0");
        assert_eq!(buleleng.cells("B")[col("overdue")].measure, Some("overdue"));
    }

    #[test]
    fn months_start_on_the_first_and_weeks_on_monday() {
        assert_eq!(Grain::Month.start(d("2026-11-30")), d("2026-11-01"));
        assert_eq!(Grain::Week.start(d("2026-11-29")), d("2026-11-23"));
        assert_eq!(Grain::Week.start(d("2026-11-23")), d("2026-11-23"));
        assert_eq!(Grain::from_key("month"), Some(Grain::Month));
        assert_eq!(Grain::from_key(Grain::Week.key()), Some(Grain::Week));
        assert_eq!(Grain::from_key("day"), None);
        let report = build(Inputs {
            from: d("2026-01-15"),
            to: d("2026-12-31"),
            by_unit: true,
            grain: Grain::Month,
            keys: vec![],
            days: &[],
            live: &[],
            pulses: &[],
            now_ms: 0,
            offset_minutes: 480,
        });
        let months: Vec<String> = report
            .map(|r| r.trend.iter().map(|t| t.0.to_string()).collect())
            .unwrap_or_default();
        assert_eq!(months.len(), 12);
        assert_eq!(months[0], "2026-01-01");
        assert_eq!(months[11], "2026-12-01");
    }

    #[test]
    fn a_region_with_no_complaints_is_judged_on_its_links_alone() {
        let pulse = PulseRow {
            region_slug: "bangli".into(),
            integration_mode: "lapor".into(),
            officer_at: None,
            delivered_at: None,
            widget_at: Some(1_000),
            parked: 0,
        };
        let report = build(Inputs {
            from: d("2026-11-01"),
            to: d("2026-11-30"),
            by_unit: false,
            grain: Grain::Month,
            keys: vec![("bangli".into(), None)],
            days: &[],
            live: &[],
            pulses: &[pulse],
            now_ms: 2_000,
            offset_minutes: 480,
        })
        .unwrap_or_else(|e| panic!("{e}"));
        let line = &report.lines[0];
        assert_eq!(
            line.parts.activity, None,
            "no complaints: activity is not judged"
        );
        assert_eq!(line.index.map(|i| i.value), Some(100.0));
        assert_eq!(line.rank, None);
        assert!(
            build(Inputs {
                from: d("2026-11-01"),
                to: d("2026-11-30"),
                by_unit: false,
                grain: Grain::Month,
                keys: vec![],
                days: &[DayRow {
                    tally: "bad".into(),
                    ..row("bangli", "*", "2026-11-02", &Tally::default())
                }],
                live: &[],
                pulses: &[],
                now_ms: 0,
                offset_minutes: 480,
            })
            .is_err()
        );
    }
}
