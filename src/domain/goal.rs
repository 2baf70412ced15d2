//! How far a goal (chỉ tiêu) has come: its progress and status, derived from the target, the
//! actual, the direction and today's date — never stored, so they never go stale.
//!
//! **Progress** (`progress_percent`, exact to 0.01, rounded half away from zero; absent while
//! there is no actual):
//! - `higher` (the target must be above 0): actual ÷ target × 100;
//! - `lower` with a target above 0: (2 − actual ÷ target) × 100, so that meeting the target is
//!   100, zero is 200 and twice the target is 0;
//! - `lower` with a target of 0 (no complaints at all): 100 when the actual is 0 or less, else 0;
//!
//! and never below 0.
//!
//! **Status**: `exceeded` when the actual is better than the target (above it for `higher`,
//! below it for `lower`), `achieved` when it equals it; otherwise, while the period is not over
//! (today is on or before its last day: 30 June for `h1`, 31 December for `h2` and `year`),
//! `not_started` without an actual and `on_track` with one; once it is over, `missed`.

use super::{Date, Decimal, Direction, GoalStatus, Period, Year};

/// What progress and status are computed from.
#[derive(Debug, Clone, Copy)]
pub struct Standing {
    pub year: Year,
    pub period: Period,
    pub direction: Direction,
    pub target: Decimal,
    pub actual: Option<Decimal>,
}

/// Whether the period is over on `today`.
pub fn period_over(year: Year, period: Period, today: Date) -> bool {
    period.end(year).is_some_and(|end| today > end)
}

/// `a × 10_000 ÷ b`, rounded half away from zero (b ≠ 0).
fn ratio_scaled(a: i128, b: i128) -> i128 {
    let n = a * 10_000;
    let q = n / b;
    let r = n % b;
    if 2 * r.abs() >= b.abs() {
        q + if (n < 0) != (b < 0) { -1 } else { 1 }
    } else {
        q
    }
}

impl Standing {
    /// The progress in percent, exact to 0.01; `None` without an actual.
    pub fn progress(&self) -> Option<Decimal> {
        let actual = i128::from(self.actual?.scaled());
        let target = i128::from(self.target.scaled());
        // Percent in ten-thousandths: ratio × 100 × 10_000.
        let percent: i128 = match self.direction {
            Direction::Higher if target > 0 => ratio_scaled(actual * 100, target),
            Direction::Higher => return None,
            Direction::Lower if target > 0 => ratio_scaled((2 * target - actual) * 100, target),
            Direction::Lower if actual <= 0 => 100 * 10_000,
            Direction::Lower => 0,
        };
        // Hundredths of a percent: round the ten-thousandths to the nearest 100.
        let rounded = ratio_scaled(percent, 10_000 * 100) * 100;
        let clamped = rounded.max(0).min(i128::from(i64::MAX));
        i64::try_from(clamped).ok().map(Decimal::from_scaled)
    }

    pub fn status(&self, today: Date) -> GoalStatus {
        let over = period_over(self.year, self.period, today);
        let Some(actual) = self.actual else {
            return if over {
                GoalStatus::Missed
            } else {
                GoalStatus::NotStarted
            };
        };
        let better = match self.direction {
            Direction::Higher => actual > self.target,
            Direction::Lower => actual < self.target,
        };
        if better {
            GoalStatus::Exceeded
        } else if actual == self.target {
            GoalStatus::Achieved
        } else if over {
            GoalStatus::Missed
        } else {
            GoalStatus::OnTrack
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    /// Direction, period, target, actual, today (y, m, d), progress, status.
    type Row = (
        Direction,
        Period,
        &'static str,
        Option<&'static str>,
        (i32, u32, u32),
        Option<&'static str>,
        GoalStatus,
    );

    /// Every case as a row: direction, period, target, actual, today → progress, status.
    #[test]
    fn progress_and_status_as_a_table() {
        use Direction::*;
        use GoalStatus::*;
        use Period::*;
        let rows: &[Row] = &[
            // Nothing reported yet: not started until the period ends, then missed.
            (Higher, H1, "100", None, (2019, 6, 30), None, NotStarted),
            (Higher, H1, "100", None, (2019, 7, 1), None, Missed),
            (Higher, Year, "100", None, (2019, 12, 31), None, NotStarted),
            (Higher, H2, "100", None, (2020, 1, 1), None, Missed),
            // Higher is better.
            (
                Higher,
                Year,
                "100",
                Some("45.5"),
                (2019, 7, 29),
                Some("45.5"),
                OnTrack,
            ),
            (
                Higher,
                Year,
                "100",
                Some("100"),
                (2019, 7, 29),
                Some("100"),
                Achieved,
            ),
            (
                Higher,
                Year,
                "100",
                Some("100.0"),
                (2020, 3, 1),
                Some("100"),
                Achieved,
            ),
            (
                Higher,
                Year,
                "95",
                Some("98.5"),
                (2019, 7, 29),
                Some("103.68"),
                Exceeded,
            ),
            (
                Higher,
                H1,
                "3",
                Some("2"),
                (2019, 7, 29),
                Some("66.67"),
                Missed,
            ),
            (
                Higher,
                H1,
                "3",
                Some("1"),
                (2019, 5, 1),
                Some("33.33"),
                OnTrack,
            ),
            (
                Higher,
                Year,
                "10",
                Some("-1"),
                (2019, 5, 1),
                Some("0"),
                OnTrack,
            ),
            // Lower is better, with a positive target.
            (
                Lower,
                Year,
                "10",
                Some("12"),
                (2019, 7, 29),
                Some("80"),
                OnTrack,
            ),
            (
                Lower,
                Year,
                "10",
                Some("10"),
                (2019, 7, 29),
                Some("100"),
                Achieved,
            ),
            (
                Lower,
                Year,
                "10",
                Some("5"),
                (2019, 7, 29),
                Some("150"),
                Exceeded,
            ),
            (
                Lower,
                Year,
                "10",
                Some("0"),
                (2019, 7, 29),
                Some("200"),
                Exceeded,
            ),
            (
                Lower,
                Year,
                "10",
                Some("25"),
                (2019, 7, 29),
                Some("0"),
                OnTrack,
            ),
            (
                Lower,
                H1,
                "10",
                Some("12"),
                (2019, 7, 1),
                Some("80"),
                Missed,
            ),
            // Lower is better, with a target of none at all.
            (
                Lower,
                Year,
                "0",
                Some("0"),
                (2019, 7, 29),
                Some("100"),
                Achieved,
            ),
            (
                Lower,
                Year,
                "0",
                Some("1"),
                (2019, 7, 29),
                Some("0"),
                OnTrack,
            ),
            (Lower, Year, "0", Some("1"), (2020, 1, 1), Some("0"), Missed),
            // Exact decimals: no float drift.
            (
                Higher,
                Year,
                "0.3",
                Some("0.1"),
                (2019, 7, 29),
                Some("33.33"),
                OnTrack,
            ),
            (
                Higher,
                Year,
                "3",
                Some("2.0005"),
                (2019, 7, 29),
                Some("66.68"),
                OnTrack,
            ),
        ];
        for (dir, period, target, actual, (y, m, day), progress, status) in rows {
            let s = Standing {
                year: crate::domain::Year(2019),
                period: *period,
                direction: *dir,
                target: d(target),
                actual: actual.map(d),
            };
            let today = Date::ymd(*y, *m, *day).unwrap();
            let row = format!("{dir} {period} target {target} actual {actual:?} on {today}");
            assert_eq!(
                s.progress().map(|p| p.to_string()).as_deref(),
                *progress,
                "{row}"
            );
            assert_eq!(s.status(today), *status, "{row}");
        }
    }

    #[test]
    fn periods_end_on_30_june_and_31_december() {
        assert_eq!(Period::H1.end(Year(2019)), Date::ymd(2019, 6, 30));
        assert_eq!(Period::H2.end(Year(2019)), Date::ymd(2019, 12, 31));
        assert_eq!(Period::Year.end(Year(2019)), Date::ymd(2019, 12, 31));
    }
}
