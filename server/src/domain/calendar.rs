//! Working days: weekends and a region's holidays do not count towards a deadline.

use std::collections::BTreeSet;

use aduan_app::date::Date;

/// True on a weekday that is not a holiday.
pub fn is_working_day(day: Date, holidays: &BTreeSet<Date>) -> bool {
    !day.is_weekend() && !holidays.contains(&day)
}

/// The `n`th working day after `start` (`start` itself does not count).
/// With `n = 0`, `start` if it is a working day, else the next one.
pub fn add_working_days(start: Date, n: u32, holidays: &BTreeSet<Date>) -> Date {
    let mut day = start;
    if n == 0 {
        while !is_working_day(day, holidays) {
            day = day.add_days(1);
        }
        return day;
    }
    let mut left = n;
    while left > 0 {
        day = day.add_days(1);
        if is_working_day(day, holidays) {
            left -= 1;
        }
    }
    day
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap_or_else(|| Date::from_days(0))
    }

    #[test]
    fn a_friday_complaint_is_due_on_wednesday() {
        assert_eq!(
            add_working_days(d("2026-11-27"), 3, &BTreeSet::new()),
            d("2026-12-02")
        );
    }

    #[test]
    fn a_weekend_complaint_counts_from_monday() {
        assert_eq!(
            add_working_days(d("2026-11-28"), 3, &BTreeSet::new()),
            d("2026-12-02")
        );
        assert_eq!(
            add_working_days(d("2026-11-29"), 1, &BTreeSet::new()),
            d("2026-11-30")
        );
    }

    #[test]
    fn holidays_are_skipped() {
        // Nyepi 2026 is Thursday 19 March.
        let nyepi: BTreeSet<Date> = [d("2026-03-19")].into();
        assert_eq!(
            add_working_days(d("2026-03-17"), 3, &nyepi),
            d("2026-03-23")
        );
        assert_eq!(
            add_working_days(d("2026-03-17"), 3, &BTreeSet::new()),
            d("2026-03-20")
        );
    }

    #[test]
    fn the_count_runs_across_the_end_of_the_year() {
        let days: BTreeSet<Date> = [d("2026-12-25"), d("2027-01-01")].into();
        assert_eq!(add_working_days(d("2026-12-24"), 5, &days), d("2027-01-04"));
    }

    #[test]
    fn zero_days_lands_on_the_next_working_day() {
        assert_eq!(
            add_working_days(d("2026-11-28"), 0, &BTreeSet::new()),
            d("2026-11-30")
        );
        assert_eq!(
            add_working_days(d("2026-11-30"), 0, &BTreeSet::new()),
            d("2026-11-30")
        );
    }
}
