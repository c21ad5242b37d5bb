//! Calendar dates (proleptic Gregorian) and UTC timestamps, small enough for the widget.

use std::fmt;

/// A calendar date, always valid once constructed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// Days of the week, Monday first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// A date from its parts, or `None` when no such day exists.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if !(1..=9999).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Parses exactly `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Date> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |range: std::ops::Range<usize>| -> Option<u32> {
            let mut n = 0u32;
            for &c in &b[range] {
                if !c.is_ascii_digit() {
                    return None;
                }
                n = n * 10 + u32::from(c - b'0');
            }
            Some(n)
        };
        let year = i32::try_from(digits(0..4)?).ok()?;
        let month = u8::try_from(digits(5..7)?).ok()?;
        let day = u8::try_from(digits(8..10)?).ok()?;
        Date::new(year, month, day)
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before it).
    pub fn to_days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` days after 1970-01-01.
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    pub fn add_days(self, days: i64) -> Date {
        Date::from_days(self.to_days() + days)
    }

    pub fn weekday(self) -> Weekday {
        // 1970-01-01 was a Thursday.
        match (self.to_days() + 3).rem_euclid(7) {
            0 => Weekday::Monday,
            1 => Weekday::Tuesday,
            2 => Weekday::Wednesday,
            3 => Weekday::Thursday,
            4 => Weekday::Friday,
            5 => Weekday::Saturday,
            _ => Weekday::Sunday,
        }
    }

    pub fn is_weekend(self) -> bool {
        matches!(self.weekday(), Weekday::Saturday | Weekday::Sunday)
    }

    /// The local date at `unix_ms` in a zone `offset_minutes` east of UTC.
    pub fn at(unix_ms: i64, offset_minutes: i32) -> Date {
        let local_ms = unix_ms + i64::from(offset_minutes) * 60_000;
        Date::from_days(local_ms.div_euclid(86_400_000))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// `unix_ms` as an RFC 3339 UTC timestamp with second precision.
pub fn rfc3339(unix_ms: i64) -> String {
    let date = Date::from_days(unix_ms.div_euclid(86_400_000));
    let secs = unix_ms.rem_euclid(86_400_000) / 1000;
    format!(
        "{date}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_real_dates_and_refuses_impossible_ones() {
        assert_eq!(Date::parse("2024-02-29"), Date::new(2024, 2, 29));
        assert!(Date::parse("2023-02-29").is_none());
        assert!(Date::parse("2026-13-01").is_none());
        assert!(Date::parse("2026-1-01").is_none());
        assert!(Date::parse("2026-01-01T00").is_none());
        assert!(Date::parse("２026-01-01").is_none());
        assert!(Date::parse("0000-01-01").is_none());
    }

    #[test]
    fn day_numbers_round_trip_across_centuries() {
        assert_eq!(Date::new(1970, 1, 1).map(Date::to_days), Some(0));
        for days in (-800_000..800_000).step_by(997) {
            assert_eq!(Date::from_days(days).to_days(), days);
        }
        assert_eq!(Date::from_days(20_000).to_string(), "2024-10-04");
    }

    #[test]
    fn knows_the_day_of_the_week() {
        assert_eq!(
            Date::parse("2026-11-28").map(Date::weekday),
            Some(Weekday::Saturday)
        );
        assert_eq!(
            Date::parse("2026-03-19").map(Date::weekday),
            Some(Weekday::Thursday)
        );
        assert!(Date::parse("2026-11-29").is_some_and(Date::is_weekend));
    }

    #[test]
    fn local_date_follows_the_offset() {
        // 2026-11-27T20:00:00Z is already the 28th in Bali (UTC+8).
        let ms =
            Date::parse("2026-11-27").map(Date::to_days).unwrap_or(0) * 86_400_000 + 20 * 3_600_000;
        assert_eq!(Date::at(ms, 0).to_string(), "2026-11-27");
        assert_eq!(Date::at(ms, 480).to_string(), "2026-11-28");
        assert_eq!(rfc3339(ms), "2026-11-27T20:00:00Z");
    }
}
