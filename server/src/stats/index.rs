//! The compliance index: 0–100 per region, from six parts, each a share
//! between 0 and 1:
//!
//! | part | weight | share |
//! |---|---|---|
//! | on-time verification | 25 | verified within the limit ÷ (verified + owed and late today) |
//! | on-time follow-up plan | 20 | planned within the limit ÷ (planned + owed and late today) |
//! | resolution | 20 | resolved ÷ (resolved + open and past due today) |
//! | rating | 15 | (average rating − 1) ÷ 4 |
//! | connectivity | 10 | half for the widget seen working in the last 7 days, half for a portal link (LAPOR or the region's webhook) with no parked message |
//! | activity | 10 | 1 when an officer acted in the last 7 days, 0 after 30 days (or never), straight between |
//!
//! `index = 100 × Σ weight × share ÷ Σ weight`, over the parts that have
//! data (a region nobody rated is judged on the other five). The index's
//! range uses the 95% Wilson interval of each rate; a region with fewer than
//! [`MIN_RANKED`] complaints in the period is marked, not ranked. Zones as
//! the Ombudsman colours them: green 78–100, yellow 55 to below 78, red below 55.

/// Fewest complaints received in the period for a region to be ranked.
pub const MIN_RANKED: i64 = 20;

/// The weights, in the order of [`Parts`]' fields.
pub const WEIGHTS: [(&str, f64); 6] = [
    ("verification", 25.0),
    ("follow_up_plan", 20.0),
    ("resolution", 20.0),
    ("rating", 15.0),
    ("connectivity", 10.0),
    ("activity", 10.0),
];

/// `z` of a two-sided 95% interval.
const Z95: f64 = 1.959_963_984_540_054;

/// A share `hits ÷ of`, and its Wilson interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub hits: f64,
    pub of: f64,
}

impl Rate {
    pub fn new(hits: i64, of: i64) -> Rate {
        Rate {
            hits: hits.max(0) as f64,
            of: of.max(0) as f64,
        }
    }

    /// The share, or `None` with nothing to divide by.
    pub fn share(self) -> Option<f64> {
        (self.of > 0.0).then(|| (self.hits / self.of).clamp(0.0, 1.0))
    }

    /// The 95% Wilson score interval.
    pub fn wilson(self) -> Option<(f64, f64)> {
        let p = self.share()?;
        let n = self.of;
        let z2 = Z95 * Z95;
        let denominator = 1.0 + z2 / n;
        let centre = (p + z2 / (2.0 * n)) / denominator;
        let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
        Some(((centre - half).max(0.0), (centre + half).min(1.0)))
    }
}

/// A part of the index: its share and the range it may lie in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Part {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

impl Part {
    pub fn exact(value: f64) -> Part {
        let value = value.clamp(0.0, 1.0);
        Part {
            value,
            low: value,
            high: value,
        }
    }

    pub fn of_rate(rate: Rate) -> Option<Part> {
        let value = rate.share()?;
        let (low, high) = rate.wilson()?;
        Some(Part { value, low, high })
    }
}

/// The six parts; `None` where there is no data.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Parts {
    pub verification: Option<Part>,
    pub follow_up_plan: Option<Part>,
    pub resolution: Option<Part>,
    pub rating: Option<Part>,
    pub connectivity: Option<Part>,
    pub activity: Option<Part>,
}

impl Parts {
    fn all(&self) -> [Option<Part>; 6] {
        [
            self.verification,
            self.follow_up_plan,
            self.resolution,
            self.rating,
            self.connectivity,
            self.activity,
        ]
    }
}

/// The Ombudsman's zones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Green,
    Yellow,
    Red,
}

impl Zone {
    pub fn of(index: f64) -> Zone {
        if index >= 78.0 {
            Zone::Green
        } else if index >= 55.0 {
            Zone::Yellow
        } else {
            Zone::Red
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Zone::Green => "green",
            Zone::Yellow => "yellow",
            Zone::Red => "red",
        }
    }
}

/// An index and its range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Index {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

impl Index {
    pub fn zone(self) -> Zone {
        Zone::of(self.value)
    }
}

/// The index of these parts, or `None` when none has data.
pub fn index(parts: &Parts) -> Option<Index> {
    let mut weight = 0.0;
    let (mut value, mut low, mut high) = (0.0, 0.0, 0.0);
    for (part, (_, w)) in parts.all().iter().zip(WEIGHTS) {
        if let Some(p) = part {
            weight += w;
            value += w * p.value;
            low += w * p.low;
            high += w * p.high;
        }
    }
    (weight > 0.0).then(|| Index {
        value: 100.0 * value / weight,
        low: 100.0 * low / weight,
        high: 100.0 * high / weight,
    })
}

/// The rating part from the number of ratings and their sum (1–5 each).
pub fn rating_part(rated: i64, sum: i64) -> Option<Part> {
    // Each rating is read as a share of the way from 1 to 5.
    Part::of_rate(Rate {
        hits: (sum - rated).max(0) as f64 / 4.0,
        of: rated.max(0) as f64,
    })
}

/// The activity part from the days since an officer last acted.
pub fn activity_part(days_since: Option<f64>) -> Part {
    Part::exact(match days_since {
        None => 0.0,
        Some(d) if d <= 7.0 => 1.0,
        Some(d) if d >= 30.0 => 0.0,
        Some(d) => (30.0 - d) / 23.0,
    })
}

/// The connectivity part: the widget seen working lately, and a portal
/// link with nothing parked.
pub fn connectivity_part(widget_seen: bool, mode: &str, parked: i64) -> Part {
    let link = mode != "none" && parked == 0;
    Part::exact(0.5 * f64::from(u8::from(widget_seen)) + 0.5 * f64::from(u8::from(link)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn no_complaints_and_no_data_have_no_index() {
        assert_eq!(index(&Parts::default()), None);
        assert_eq!(Rate::new(0, 0).share(), None);
        assert_eq!(Rate::new(0, 0).wilson(), None);
        assert_eq!(Part::of_rate(Rate::new(3, 0)), None);
        assert_eq!(rating_part(0, 0), None);
    }

    #[test]
    fn one_complaint_gives_a_wide_range() {
        let part = Part::of_rate(Rate::new(1, 1)).unwrap_or(Part::exact(0.0));
        assert!(close(part.value, 1.0));
        assert!(part.low < 0.25 && close(part.high, 1.0), "{part:?}");
        let parts = Parts {
            verification: Some(part),
            ..Parts::default()
        };
        let i = index(&parts).unwrap_or(Index {
            value: 0.0,
            low: 0.0,
            high: 0.0,
        });
        assert!(close(i.value, 100.0));
        assert!(i.low < 25.0, "{i:?}");
    }

    #[test]
    fn the_wilson_interval_matches_the_textbook() {
        // 8 of 10: 0.4902 – 0.9433.
        let (lo, hi) = Rate::new(8, 10).wilson().unwrap_or((0.0, 0.0));
        assert!(
            (lo - 0.4902).abs() < 1e-4 && (hi - 0.9433).abs() < 1e-4,
            "{lo} {hi}"
        );
        let (lo, hi) = Rate::new(0, 10).wilson().unwrap_or((1.0, 1.0));
        assert!(close(lo, 0.0) && (hi - 0.2775).abs() < 1e-4, "{lo} {hi}");
        // More complaints, a narrower range around the same share.
        let (lo2, hi2) = Rate::new(800, 1000).wilson().unwrap_or((0.0, 0.0));
        assert!(hi2 - lo2 < 0.06 && lo2 > 0.77 && hi2 < 0.83);
    }

    #[test]
    fn weights_sum_to_one_hundred_and_missing_parts_drop_out() {
        assert!(close(WEIGHTS.iter().map(|(_, w)| w).sum::<f64>(), 100.0));
        let all = Parts {
            verification: Some(Part::exact(1.0)),
            follow_up_plan: Some(Part::exact(0.5)),
            resolution: Some(Part::exact(0.0)),
            rating: Some(Part::exact(1.0)),
            connectivity: Some(Part::exact(0.5)),
            activity: Some(Part::exact(0.0)),
        };
        // 25 + 10 + 0 + 15 + 5 + 0.
        let i = index(&all).map(|i| i.value);
        assert!(i.is_some_and(|v| close(v, 55.0)), "{i:?}");
        let unrated = Parts {
            rating: None,
            ..all
        };
        // 40 of 85.
        let i = index(&unrated).map(|i| i.value);
        assert!(i.is_some_and(|v| close(v, 4000.0 / 85.0)), "{i:?}");
        for (which, expect) in [
            (0, 25.0),
            (1, 20.0),
            (2, 20.0),
            (3, 15.0),
            (4, 10.0),
            (5, 10.0),
        ] {
            let mut p = Parts::default();
            let one = Some(Part::exact(1.0));
            let zero = Some(Part::exact(0.0));
            p.verification = zero;
            match which {
                0 => p.verification = one,
                1 => p.follow_up_plan = one,
                2 => p.resolution = one,
                3 => p.rating = one,
                4 => p.connectivity = one,
                _ => p.activity = one,
            }
            let v = index(&p).map(|i| i.value).unwrap_or(-1.0);
            let w = if which == 0 { 25.0 } else { 25.0 + expect };
            assert!(close(v, 100.0 * expect / w), "part {which}: {v}");
        }
    }

    #[test]
    fn zones_follow_the_ombudsman() {
        assert_eq!(Zone::of(100.0), Zone::Green);
        assert_eq!(Zone::of(78.0), Zone::Green);
        assert_eq!(Zone::of(77.99), Zone::Yellow);
        assert_eq!(Zone::of(55.0), Zone::Yellow);
        assert_eq!(Zone::of(54.99), Zone::Red);
        assert_eq!(Zone::of(0.0), Zone::Red);
        assert_eq!(
            [Zone::Green, Zone::Yellow, Zone::Red].map(Zone::key),
            ["green", "yellow", "red"]
        );
        let i = Index {
            value: 80.0,
            low: 50.0,
            high: 90.0,
        };
        assert_eq!(i.zone(), Zone::Green);
    }

    #[test]
    fn ratings_activity_and_connectivity_read_as_shares() {
        assert!(rating_part(2, 10).is_some_and(|p| close(p.value, 1.0)));
        assert!(rating_part(2, 2).is_some_and(|p| close(p.value, 0.0)));
        assert!(rating_part(4, 12).is_some_and(|p| close(p.value, 0.5)));
        assert!(close(activity_part(None).value, 0.0));
        assert!(close(activity_part(Some(0.5)).value, 1.0));
        assert!(close(activity_part(Some(7.0)).value, 1.0));
        assert!(close(activity_part(Some(18.5)).value, 0.5));
        assert!(close(activity_part(Some(30.0)).value, 0.0));
        assert!(close(activity_part(Some(99.0)).value, 0.0));
        assert!(close(connectivity_part(true, "lapor", 0).value, 1.0));
        assert!(close(connectivity_part(true, "webhook", 2).value, 0.5));
        assert!(close(connectivity_part(false, "none", 0).value, 0.0));
        assert!(close(connectivity_part(false, "lapor", 0).value, 0.5));
        assert!(close(connectivity_part(true, "none", 0).value, 0.5));
    }
}
