//! A region's public record: what anyone may read of how it handles
//! complaints over the last 12 months. Aggregates only. Confidential
//! complaints count in the totals but never in a category smaller than
//! [`crate::disclosure::MIN_PUBLIC_CELL`]: such categories are merged into
//! "other categories", whose own count is shown only when it too is large
//! enough (see [`crate::disclosure::may_publish_cell`]).

use aduan_app::date::Date;

use super::report::{Line, Report};
use super::tally::quantile;
use crate::disclosure::may_publish_cell;

/// One category's public counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryFigures {
    pub key: String,
    pub received: i64,
    pub resolved: i64,
}

/// The public record of one region.
#[derive(Debug, Clone, PartialEq)]
pub struct PublicRecord {
    pub region: String,
    pub from: Date,
    pub to: Date,
    pub received: i64,
    pub resolved: i64,
    pub verified_on_time_pct: Option<f64>,
    pub follow_up_on_time_pct: Option<f64>,
    pub median_days_to_first_reply: Option<u32>,
    pub median_days_to_resolution: Option<u32>,
    /// Categories shown on their own, most received first.
    pub categories: Vec<CategoryFigures>,
    /// What the merged categories hold: `None` when there are none; the
    /// counts are `None` when too small to show.
    pub other: Option<Merged>,
    /// Per month: its first day, received, resolved.
    pub months: Vec<(Date, i64, i64)>,
}

/// What merged categories hold: received and resolved, each `None` when
/// too few to show.
pub type Merged = (Option<i64>, Option<i64>);

/// The categories a public table shows on their own, most received first,
/// and what the merged ones hold (`None` counts when too few to show).
///
/// A category holding a confidential complaint shows only from
/// `MIN_PUBLIC_CELL` up. The merged ones must not be small either, or the
/// total minus the shown ones would give them away: while they hold a
/// confidential complaint and are fewer than the minimum, the smallest shown
/// category joins them.
pub fn split_categories(
    all: &std::collections::BTreeMap<String, crate::stats::tally::CategoryCount>,
) -> (Vec<CategoryFigures>, Option<Merged>) {
    let mut shown: Vec<(&String, &crate::stats::tally::CategoryCount)> = Vec::new();
    let (mut n, mut res, mut conf, mut merged) = (0, 0, 0, 0);
    for (key, c) in all {
        if may_publish_cell(c.received, c.confidential) {
            shown.push((key, c));
        } else {
            merged += 1;
            n += c.received;
            res += c.resolved;
            conf += c.confidential;
        }
    }
    shown.sort_by(|a, b| b.1.received.cmp(&a.1.received).then(a.0.cmp(b.0)));
    while merged > 0 && !may_publish_cell(n, conf) {
        let Some((_, c)) = shown.pop() else {
            break;
        };
        merged += 1;
        n += c.received;
        res += c.resolved;
        conf += c.confidential;
    }
    let show = may_publish_cell(n, conf);
    let categories = shown
        .into_iter()
        .map(|(key, c)| CategoryFigures {
            key: key.clone(),
            received: c.received,
            resolved: c.resolved,
        })
        .collect();
    (
        categories,
        (merged > 0).then_some((show.then_some(n), show.then_some(res))),
    )
}

/// The public record from a region's line and the report's monthly trend.
pub fn record(line: &Line, report: &Report) -> PublicRecord {
    let t = &line.tally;
    let (shown, other) = split_categories(&t.categories);
    PublicRecord {
        region: line.region.clone(),
        from: report.from,
        to: report.to,
        received: t.received,
        resolved: t.resolved,
        verified_on_time_pct: line.verification().share().map(|s| 100.0 * s),
        follow_up_on_time_pct: line.follow_up_plan().share().map(|s| 100.0 * s),
        median_days_to_first_reply: quantile(&t.reply_days, 0.5),
        median_days_to_resolution: quantile(&t.resolution_days, 0.5),
        categories: shown,
        other,
        months: report
            .trend
            .iter()
            .map(|(d, t)| (*d, t.received, t.resolved))
            .collect(),
    }
}

impl PublicRecord {
    /// The record as the JSON API answers it.
    pub fn json(
        &self,
        name: &str,
        categories: &crate::domain::catalog::Catalog,
    ) -> serde_json::Value {
        use serde_json::json;
        json!({
            "region": { "key": self.region, "name": name },
            "from": self.from.to_string(),
            "to": self.to.to_string(),
            "received": self.received,
            "resolved": self.resolved,
            "verified_on_time_pct": self.verified_on_time_pct.map(|v| (v * 10.0).round() / 10.0),
            "follow_up_on_time_pct": self.follow_up_on_time_pct.map(|v| (v * 10.0).round() / 10.0),
            "median_days_to_first_reply": self.median_days_to_first_reply,
            "median_days_to_resolution": self.median_days_to_resolution,
            "categories": self.categories.iter().map(|c| {
                let cat = categories.category(&c.key);
                json!({
                    "key": c.key,
                    "name_id": cat.map_or(c.key.as_str(), |x| x.name_id.as_str()),
                    "name_en": cat.map_or(c.key.as_str(), |x| x.name_en.as_str()),
                    "received": c.received,
                    "resolved": c.resolved,
                })
            }).collect::<Vec<_>>(),
            "other_categories": self.other.map(|(n, r)| json!({ "received": n, "resolved": r })),
            "months": self.months.iter().map(|(d, n, r)| json!({
                "month": format!("{:04}-{:02}", d.year(), d.month()), "received": n, "resolved": r,
            })).collect::<Vec<_>>(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::LiveRow;
    use crate::stats::report::Grain;
    use crate::stats::tally::{CategoryCount, Tally};

    fn line(categories: &[(&str, i64, i64, i64)]) -> Line {
        let mut t = Tally::default();
        for (k, n, r, c) in categories {
            t.received += n;
            t.resolved += r;
            t.confidential += c;
            t.categories.insert(
                (*k).into(),
                CategoryCount {
                    received: *n,
                    resolved: *r,
                    confidential: *c,
                },
            );
        }
        Line {
            region: "badung".into(),
            unit: None,
            tally: t,
            live: LiveRow::default(),
            signs: None,
            parts: Default::default(),
            index: None,
            rank: None,
        }
    }

    fn report() -> Report {
        let d = Date::parse("2026-01-01").unwrap_or_else(|| Date::from_days(0));
        Report {
            from: d,
            to: d,
            by_unit: false,
            lines: vec![],
            total: line(&[]),
            grain: Grain::Month,
            trend: vec![(d, 3, 1)]
                .into_iter()
                .map(|(d, n, _)| {
                    (
                        d,
                        Tally {
                            received: n,
                            ..Tally::default()
                        },
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn a_small_category_with_a_confidential_complaint_is_merged() {
        let r = record(
            &line(&[
                ("jalan", 12, 8, 0),
                ("sampah", 2, 1, 0),
                ("pungli", 1, 0, 1),
                ("maladministrasi", 3, 0, 2),
            ]),
            &report(),
        );
        let keys: Vec<&str> = r.categories.iter().map(|c| c.key.as_str()).collect();
        // Four merged with confidential complaints are too few: the smallest
        // shown category (sampah, 2) joins them, and six can be shown.
        assert_eq!(keys, ["jalan"]);
        assert_eq!(r.other, Some((Some(6), Some(1))));
        assert_eq!(r.received, 18, "confidential complaints count in the total");
        assert_eq!(r.months, vec![(report().from, 3, 0)]);
    }

    #[test]
    fn when_everything_is_merged_and_still_small_nothing_is_counted_by_category() {
        let r = record(&line(&[("jalan", 2, 1, 0), ("pungli", 1, 0, 1)]), &report());
        assert!(r.categories.is_empty());
        assert_eq!(r.other, Some((None, None)));
        assert_eq!(r.received, 3);
        // No confidential complaint: small categories show as they are.
        let r = record(&line(&[("jalan", 2, 1, 0), ("air", 1, 0, 0)]), &report());
        assert_eq!(r.categories.len(), 2);
        assert_eq!(r.other, None);
    }

    #[test]
    fn merged_categories_show_their_count_once_large_enough() {
        let r = record(
            &line(&[
                ("jalan", 12, 8, 0),
                ("pungli", 3, 1, 3),
                ("maladministrasi", 2, 1, 1),
            ]),
            &report(),
        );
        assert_eq!(r.other, Some((Some(5), Some(2))));
        let r = record(&line(&[("pungli", 5, 1, 5)]), &report());
        assert_eq!(r.categories.len(), 1, "five is enough to show");
        assert_eq!(r.other, None);
    }
}
