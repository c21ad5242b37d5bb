//! Sums of complaint facts: what one row of `stats_daily` holds, and what
//! the dashboard adds up. A fact contributes a [`Tally`] of one complaint;
//! when its history changes, the old contribution is taken away and the
//! new one added, so the sums stay exact.

use std::collections::BTreeMap;

use super::facts::{Fact, Outcome, Timing};

/// The channels a complaint comes in by, in the order tables show them.
pub const CHANNELS: [&str; 5] = ["widget", "hosted", "api", "open311", "lapor"];

/// Counts per working day (a histogram of durations).
pub type Histogram = BTreeMap<u32, i64>;

/// Received, resolved and confidential complaints of one category.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CategoryCount {
    pub received: i64,
    pub resolved: i64,
    pub confidential: i64,
}

/// Counters of a set of complaints (all by the day they were received).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub received: i64,
    /// By channel, in the order of [`CHANNELS`].
    pub channels: [i64; 5],
    pub confidential: i64,
    pub verified_on_time: i64,
    pub verified_late: i64,
    pub planned_on_time: i64,
    pub planned_late: i64,
    /// Complaints that had a public reply.
    pub replied: i64,
    /// Resolved, whether closed since or not.
    pub resolved: i64,
    pub closed_confirmed: i64,
    pub closed_quiet: i64,
    pub rejected: i64,
    /// Complaints reopened at least once.
    pub reopened: i64,
    pub followups: i64,
    pub template_followups: i64,
    pub rated: i64,
    pub rating_sum: i64,
    /// Working days to the first public reply.
    pub reply_days: Histogram,
    /// Working days to the resolution.
    pub resolution_days: Histogram,
    pub categories: BTreeMap<String, CategoryCount>,
}

fn bump(h: &mut Histogram, key: u32, by: i64) {
    let v = h.entry(key).or_default();
    *v += by;
    if *v == 0 {
        h.remove(&key);
    }
}

impl Tally {
    /// One complaint's contribution.
    pub fn of(fact: &Fact) -> Tally {
        let mut t = Tally {
            received: 1,
            confidential: i64::from(fact.confidential),
            ..Tally::default()
        };
        if let Some(i) = CHANNELS.iter().position(|c| *c == fact.channel) {
            t.channels[i] = 1;
        }
        match fact.verification {
            Timing::OnTime => t.verified_on_time = 1,
            Timing::Late => t.verified_late = 1,
            Timing::None | Timing::Pending(_) => {}
        }
        match fact.plan {
            Timing::OnTime => t.planned_on_time = 1,
            Timing::Late => t.planned_late = 1,
            Timing::None | Timing::Pending(_) => {}
        }
        if let Some(days) = fact.first_reply_days {
            t.replied = 1;
            bump(&mut t.reply_days, days, 1);
        }
        if fact.outcome.is_resolved() {
            t.resolved = 1;
            if let Some(days) = fact.resolution_days {
                bump(&mut t.resolution_days, days, 1);
            }
        }
        match fact.outcome {
            Outcome::Confirmed => t.closed_confirmed = 1,
            Outcome::Quiet => t.closed_quiet = 1,
            Outcome::Rejected => t.rejected = 1,
            Outcome::Open | Outcome::Resolved => {}
        }
        t.reopened = i64::from(fact.reopened > 0);
        t.followups = i64::from(fact.followups);
        t.template_followups = i64::from(fact.template_followups);
        if let Some(r) = fact.rating {
            t.rated = 1;
            t.rating_sum = i64::from(r);
        }
        t.categories.insert(
            fact.category.clone(),
            CategoryCount {
                received: 1,
                resolved: t.resolved,
                confidential: t.confidential,
            },
        );
        t
    }

    /// Adds `other` times `sign` (1 to add, -1 to take away).
    pub fn add(&mut self, other: &Tally, sign: i64) {
        self.received += sign * other.received;
        for (a, b) in self.channels.iter_mut().zip(other.channels) {
            *a += sign * b;
        }
        self.confidential += sign * other.confidential;
        self.verified_on_time += sign * other.verified_on_time;
        self.verified_late += sign * other.verified_late;
        self.planned_on_time += sign * other.planned_on_time;
        self.planned_late += sign * other.planned_late;
        self.replied += sign * other.replied;
        self.resolved += sign * other.resolved;
        self.closed_confirmed += sign * other.closed_confirmed;
        self.closed_quiet += sign * other.closed_quiet;
        self.rejected += sign * other.rejected;
        self.reopened += sign * other.reopened;
        self.followups += sign * other.followups;
        self.template_followups += sign * other.template_followups;
        self.rated += sign * other.rated;
        self.rating_sum += sign * other.rating_sum;
        for (k, v) in &other.reply_days {
            bump(&mut self.reply_days, *k, sign * v);
        }
        for (k, v) in &other.resolution_days {
            bump(&mut self.resolution_days, *k, sign * v);
        }
        for (k, v) in &other.categories {
            let c = self.categories.entry(k.clone()).or_default();
            c.received += sign * v.received;
            c.resolved += sign * v.resolved;
            c.confidential += sign * v.confidential;
            if *c == CategoryCount::default() {
                self.categories.remove(k);
            }
        }
    }

    /// True when every counter is zero (the row can go).
    pub fn is_empty(&self) -> bool {
        *self == Tally::default()
    }

    fn scalars(&self) -> [(&'static str, i64); 21] {
        [
            ("n", self.received),
            ("widget", self.channels[0]),
            ("hosted", self.channels[1]),
            ("api", self.channels[2]),
            ("open311", self.channels[3]),
            ("lapor", self.channels[4]),
            ("conf", self.confidential),
            ("vok", self.verified_on_time),
            ("vlate", self.verified_late),
            ("pok", self.planned_on_time),
            ("plate", self.planned_late),
            ("replied", self.replied),
            ("res", self.resolved),
            ("confirmed", self.closed_confirmed),
            ("quiet", self.closed_quiet),
            ("rej", self.rejected),
            ("reopened", self.reopened),
            ("fu", self.followups),
            ("tpl", self.template_followups),
            ("rated", self.rated),
            ("rsum", self.rating_sum),
        ]
    }

    fn scalar_mut(&mut self, key: &str) -> Option<&mut i64> {
        Some(match key {
            "n" => &mut self.received,
            "widget" => &mut self.channels[0],
            "hosted" => &mut self.channels[1],
            "api" => &mut self.channels[2],
            "open311" => &mut self.channels[3],
            "lapor" => &mut self.channels[4],
            "conf" => &mut self.confidential,
            "vok" => &mut self.verified_on_time,
            "vlate" => &mut self.verified_late,
            "pok" => &mut self.planned_on_time,
            "plate" => &mut self.planned_late,
            "replied" => &mut self.replied,
            "res" => &mut self.resolved,
            "confirmed" => &mut self.closed_confirmed,
            "quiet" => &mut self.closed_quiet,
            "rej" => &mut self.rejected,
            "reopened" => &mut self.reopened,
            "fu" => &mut self.followups,
            "tpl" => &mut self.template_followups,
            "rated" => &mut self.rated,
            "rsum" => &mut self.rating_sum,
            _ => return None,
        })
    }

    /// The text `stats_daily.tally` keeps: `key=value` words, zeros left out;
    /// histograms as `rd=days:count,…` and `sd=…`; categories as
    /// `c=key:received/resolved/confidential,…`.
    pub fn encode(&self) -> String {
        let mut words: Vec<String> = self
            .scalars()
            .iter()
            .filter(|(_, v)| *v != 0)
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        for (key, h) in [("rd", &self.reply_days), ("sd", &self.resolution_days)] {
            if !h.is_empty() {
                let parts: Vec<String> = h.iter().map(|(d, n)| format!("{d}:{n}")).collect();
                words.push(format!("{key}={}", parts.join(",")));
            }
        }
        if !self.categories.is_empty() {
            let parts: Vec<String> = self
                .categories
                .iter()
                .map(|(k, c)| format!("{k}:{}/{}/{}", c.received, c.resolved, c.confidential))
                .collect();
            words.push(format!("c={}", parts.join(",")));
        }
        words.join(" ")
    }

    /// Reads [`Tally::encode`]'s text; names what it could not read.
    pub fn decode(text: &str) -> Result<Tally, String> {
        let mut t = Tally::default();
        let bad = |w: &str| format!("tally word `{w}`");
        for word in text.split_whitespace() {
            let (key, value) = word.split_once('=').ok_or_else(|| bad(word))?;
            match key {
                "rd" | "sd" => {
                    let h = if key == "rd" {
                        &mut t.reply_days
                    } else {
                        &mut t.resolution_days
                    };
                    for part in value.split(',') {
                        let (d, n) = part.split_once(':').ok_or_else(|| bad(word))?;
                        let d: u32 = d.parse().map_err(|_| bad(word))?;
                        let n: i64 = n.parse().map_err(|_| bad(word))?;
                        bump(h, d, n);
                    }
                }
                "c" => {
                    for part in value.split(',') {
                        let (k, counts) = part.split_once(':').ok_or_else(|| bad(word))?;
                        let n: Vec<i64> = counts
                            .split('/')
                            .map(|n| n.parse().map_err(|_| bad(word)))
                            .collect::<Result<_, _>>()?;
                        let [received, resolved, confidential] = n[..] else {
                            return Err(bad(word));
                        };
                        t.categories.insert(
                            k.to_owned(),
                            CategoryCount {
                                received,
                                resolved,
                                confidential,
                            },
                        );
                    }
                }
                _ => {
                    let slot = t.scalar_mut(key).ok_or_else(|| bad(word))?;
                    *slot = value.parse().map_err(|_| bad(word))?;
                }
            }
        }
        Ok(t)
    }
}

/// The value at quantile `q` (0–1) of a histogram by the nearest-rank
/// method: the smallest value with at least `ceil(q × n)` values at or
/// below it. `None` when it is empty.
pub fn quantile(h: &Histogram, q: f64) -> Option<u32> {
    let n: i64 = h.values().sum();
    if n <= 0 {
        return None;
    }
    let rank = ((q * n as f64).ceil() as i64).clamp(1, n);
    let mut seen = 0;
    for (value, count) in h {
        seen += count;
        if seen >= rank {
            return Some(*value);
        }
    }
    h.keys().next_back().copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aduan_app::date::Date;

    fn fact() -> Fact {
        Fact {
            complaint_id: 1,
            region: "badung".into(),
            unit: "pupr".into(),
            category: "jalan".into(),
            channel: "open311".into(),
            confidential: true,
            day: Date::from_days(20_000),
            verification: Timing::Late,
            plan: Timing::OnTime,
            first_reply_days: Some(2),
            resolution_days: Some(9),
            outcome: Outcome::Quiet,
            reopened: 2,
            followups: 3,
            template_followups: 1,
            rating: Some(4),
            open_due: None,
            last_event_id: 9,
        }
    }

    #[test]
    fn a_fact_contributes_each_counter_once() {
        let t = Tally::of(&fact());
        assert_eq!(t.received, 1);
        assert_eq!(t.channels, [0, 0, 0, 1, 0]);
        assert_eq!((t.verified_on_time, t.verified_late), (0, 1));
        assert_eq!((t.planned_on_time, t.planned_late), (1, 0));
        assert_eq!(
            (t.resolved, t.closed_quiet, t.closed_confirmed, t.rejected),
            (1, 1, 0, 0)
        );
        assert_eq!(t.reopened, 1);
        assert_eq!((t.followups, t.template_followups), (3, 1));
        assert_eq!((t.rated, t.rating_sum), (1, 4));
        assert_eq!(t.reply_days, BTreeMap::from([(2, 1)]));
        assert_eq!(t.resolution_days, BTreeMap::from([(9, 1)]));
        assert_eq!(
            t.categories["jalan"],
            CategoryCount {
                received: 1,
                resolved: 1,
                confidential: 1
            }
        );
    }

    #[test]
    fn an_open_complaint_counts_no_resolution() {
        let mut f = fact();
        f.outcome = Outcome::Open;
        f.verification = Timing::Pending(f.day);
        f.plan = Timing::None;
        f.rating = None;
        f.reopened = 0;
        let t = Tally::of(&f);
        assert_eq!(
            (
                t.resolved,
                t.closed_quiet,
                t.verified_late,
                t.verified_on_time
            ),
            (0, 0, 0, 0)
        );
        assert_eq!(
            (t.planned_late, t.planned_on_time, t.rated, t.reopened),
            (0, 0, 0, 0)
        );
        assert!(t.resolution_days.is_empty());
        f.outcome = Outcome::Confirmed;
        f.verification = Timing::OnTime;
        assert_eq!(Tally::of(&f).closed_confirmed, 1);
        assert_eq!(Tally::of(&f).verified_on_time, 1);
        f.outcome = Outcome::Rejected;
        assert_eq!((Tally::of(&f).rejected, Tally::of(&f).resolved), (1, 0));
    }

    #[test]
    fn adding_and_taking_away_returns_to_nothing() {
        let mut sum = Tally::default();
        sum.add(&Tally::of(&fact()), 1);
        sum.add(&Tally::of(&fact()), 1);
        assert_eq!(sum.received, 2);
        assert_eq!(sum.reply_days, BTreeMap::from([(2, 2)]));
        sum.add(&Tally::of(&fact()), -1);
        assert_eq!(sum, Tally::of(&fact()));
        sum.add(&Tally::of(&fact()), -1);
        assert!(sum.is_empty(), "{sum:?}");
    }

    #[test]
    fn the_text_form_reads_back_the_same() {
        let mut sum = Tally::of(&fact());
        let mut other = fact();
        other.category = "air".into();
        other.channel = "widget".into();
        other.first_reply_days = Some(0);
        sum.add(&Tally::of(&other), 1);
        let text = sum.encode();
        assert_eq!(Tally::decode(&text), Ok(sum));
        assert_eq!(Tally::decode(""), Ok(Tally::default()));
        assert_eq!(Tally::default().encode(), "");
        for bad in [
            "n",
            "x=1",
            "n=one",
            "rd=1",
            "rd=a:1",
            "rd=1:b",
            "c=jalan:1/2",
            "c=jalan",
            "c=j:1/x/0",
        ] {
            assert!(Tally::decode(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn quantiles_use_the_nearest_rank() {
        let h: Histogram = BTreeMap::from([(1, 2), (3, 1), (10, 1)]);
        assert_eq!(quantile(&h, 0.5), Some(1));
        assert_eq!(quantile(&h, 0.75), Some(3));
        assert_eq!(quantile(&h, 0.9), Some(10));
        assert_eq!(quantile(&h, 0.0), Some(1));
        assert_eq!(quantile(&Histogram::new(), 0.5), None);
        let one: Histogram = BTreeMap::from([(4, 1)]);
        assert_eq!(quantile(&one, 0.5), Some(4));
        let even: Histogram = BTreeMap::from([(1, 1), (2, 1), (3, 1), (4, 1)]);
        assert_eq!(quantile(&even, 0.5), Some(2));
        assert_eq!(quantile(&even, 0.9), Some(4));
    }
}
