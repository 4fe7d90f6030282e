//! Where a time axis labelled with dates puts its ticks: at midnight in the viewer's time zone.
//!
//! ECharts' time axis knows two zones, the browser's own and UTC, and puts its day ticks at
//! midnight in one of them. Our labels and a day's bucket follow the viewer's chosen zone
//! ([`crate::locale`]): with the two apart (an embed set to `Asia/Tokyo` in a browser in UTC)
//! each date label sat nine hours away from the point of its day. The axis takes its ticks from
//! here instead (`customValues` of its labels and ticks): the zone's midnights a day, two days,
//! a week or two weeks apart (weeks from Monday), else the first days of months or years — the
//! shortest step that keeps at most [`MAX_TICKS`] of them. ECharts draws the ones inside the
//! axis's extent and hides labels that would overlap on a narrow chart.
//!
//! An axis of hours and minutes ([`time_ticks`]) has the same problem in a zone whose offset is
//! not whole hours from the browser's (`Asia/Kolkata`, UTC+5:30, in a browser in UTC): ECharts'
//! ticks at the browser's whole hours were labelled "12:30", "1:30"… Its ticks are the zone's
//! whole minutes, hours or hours-of-the-day multiples instead.

use crate::format::{civil_from_days, days_from_civil, TimeStyle};

/// One day in milliseconds.
const DAY: f64 = 86_400_000.0;

/// The most ticks an axis gets: short dates ("Dec 13", ≈ 40 px) on a third of a dashboard.
pub const MAX_TICKS: f64 = 7.0;

/// How far apart ticks are: days, or months (a year is twelve).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Days(i64),
    Months(i64),
}

const STEPS: [Step; 15] = [
    Step::Days(1),
    Step::Days(2),
    Step::Days(7),
    Step::Days(14),
    Step::Months(1),
    Step::Months(2),
    Step::Months(3),
    Step::Months(6),
    Step::Months(12),
    Step::Months(24),
    Step::Months(60),
    Step::Months(120),
    Step::Months(240),
    Step::Months(600),
    Step::Months(1200),
];

/// Ticks for a time axis from `lo` to `hi` (epoch milliseconds) at midnights in a zone whose
/// offset from UTC at an instant is `offset` (milliseconds, east positive), with the style
/// their labels need: dates, or month and year once ticks are a month or more apart (a date
/// without its year would repeat). `None` when the extent is empty or not finite (ECharts'
/// own ticks then).
///
/// Plain loops, not iterator chains: each chain's instances cost the first module ≈ 1 KB.
pub fn date_ticks(lo: f64, hi: f64, offset: impl Fn(f64) -> f64) -> Option<(Vec<f64>, TimeStyle)> {
    if !(lo.is_finite() && hi.is_finite() && hi > lo) {
        return None;
    }
    let first = ((lo + offset(lo)) / DAY).floor() as i64;
    let last = ((hi + offset(hi)) / DAY).ceil() as i64;
    let days = (last - first) as f64;
    let mut step = Step::Months(12_000);
    for candidate in STEPS {
        let count = match candidate {
            Step::Days(k) => days / k as f64,
            Step::Months(k) => days / (30.44 * k as f64),
        };
        if count <= MAX_TICKS {
            step = candidate;
            break;
        }
    }
    // The instant the zone's clock shows midnight of `day` (days since 1970-01-01 on that
    // clock).
    let midnight = |day: i64| instant_of_wall(day as f64 * DAY, &offset);
    let mut ticks = Vec::new();
    match step {
        Step::Days(k) => {
            let mut day = first;
            while day <= last {
                // 1970-01-01 was a Thursday: day + 3 is a multiple of 7 on Mondays.
                if (day + 3).rem_euclid(k) == 0 {
                    ticks.push(midnight(day));
                }
                day += 1;
            }
            Some((ticks, TimeStyle::Date))
        }
        Step::Months(k) => {
            // Months since year 0: a multiple of 12 k is January of a year divisible by k.
            let month = |day: i64| {
                let (y, m, _) = civil_from_days(day);
                y * 12 + i64::from(m) - 1
            };
            let (mut n, end) = (month(first), month(last));
            while n <= end {
                if n.rem_euclid(k) == 0 {
                    let (y, m) = (n.div_euclid(12), n.rem_euclid(12) as u32 + 1);
                    ticks.push(midnight(days_from_civil(y, m, 1)));
                }
                n += 1;
            }
            Some((ticks, TimeStyle::Month))
        }
    }
}

/// The steps of an axis of hours and minutes, in minutes: each divides the next multiple of
/// 60 or a day, so ticks at multiples of it on the zone's clock fall on round times.
const TIME_STEPS: [f64; 12] = [
    1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 180.0, 360.0, 720.0, 1440.0,
];

/// Ticks for a time axis of hours and minutes from `lo` to `hi` (epoch milliseconds) at round
/// times on the clock of a zone whose offset is `offset` (as in [`date_ticks`]): the shortest
/// step of [`TIME_STEPS`] that keeps at most [`MAX_TICKS`] of them. `None` when the extent is
/// empty, not finite or under a minute (ECharts' own ticks then).
pub fn time_ticks(lo: f64, hi: f64, offset: impl Fn(f64) -> f64) -> Option<Vec<f64>> {
    const MINUTE: f64 = 60_000.0;
    if !(lo.is_finite() && hi.is_finite() && hi - lo >= MINUTE) {
        return None;
    }
    let mut step = DAY;
    for minutes in TIME_STEPS {
        if (hi - lo) / (minutes * MINUTE) <= MAX_TICKS {
            step = minutes * MINUTE;
            break;
        }
    }
    // Wall-clock times on the zone's clock (epoch milliseconds read as UTC).
    let mut wall = ((lo + offset(lo)) / step).floor() * step;
    let end = hi + offset(hi);
    let mut ticks = Vec::new();
    while wall <= end + step {
        ticks.push(instant_of_wall(wall, &offset));
        wall += step;
    }
    Some(ticks)
}

/// The instant at which a zone whose offset is `offset` shows `wall` (a time on its clock,
/// epoch milliseconds read as UTC): the offset taken twice, so a daylight-saving change between
/// the wall time read as UTC and the instant itself is followed.
fn instant_of_wall(wall: f64, offset: &impl Fn(f64) -> f64) -> f64 {
    wall - offset(wall - offset(wall))
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: f64 = 3_600_000.0;
    /// 2026-12-01T00:00:00Z.
    const DEC_1: f64 = 1_796_083_200_000.0;

    fn utc(_: f64) -> f64 {
        0.0
    }

    #[test]
    fn days_at_the_zones_midnight() {
        // Three days of daily buckets in Tokyo (UTC+9): each bucket starts at 15:00 UTC.
        let tokyo = |_: f64| 9.0 * HOUR;
        let lo = DEC_1 - 9.0 * HOUR;
        let (ticks, style) = date_ticks(lo, lo + 3.0 * DAY, tokyo).unwrap();
        assert_eq!(style, TimeStyle::Date);
        let expected: Vec<f64> = (0..=3).map(|i| lo + i as f64 * DAY).collect();
        assert_eq!(ticks, expected);
        // In UTC the same instants are mid-afternoon: the ticks are UTC's midnights.
        let (ticks, _) = date_ticks(lo, lo + 3.0 * DAY, utc).unwrap();
        assert_eq!(ticks[0], DEC_1 - DAY);
        assert!(ticks.iter().all(|t| t.rem_euclid(DAY) == 0.0), "{ticks:?}");
    }

    #[test]
    fn a_daylight_saving_change_keeps_ticks_at_midnight() {
        // A Berlin-like zone: UTC+1, UTC+2 from 2026-03-29T01:00Z.
        let change = 1_774_746_000_000.0;
        let berlin = move |t: f64| if t < change { HOUR } else { 2.0 * HOUR };
        // 2026-03-27 .. 2026-03-31, local midnights.
        let mar_27 = days_from_civil(2026, 3, 27) as f64 * DAY - HOUR;
        let (ticks, _) = date_ticks(mar_27, mar_27 + 4.0 * DAY - HOUR, berlin).unwrap();
        let local: Vec<f64> = ticks
            .iter()
            .map(|t| (t + berlin(*t)).rem_euclid(DAY))
            .collect();
        assert!(local.iter().all(|l| *l == 0.0), "{ticks:?} {local:?}");
        assert_eq!(ticks[3] - ticks[2], DAY - HOUR, "the short day");
    }

    #[test]
    fn the_step_grows_with_the_span_and_labels_gain_the_year() {
        let count = |days: f64| {
            let (ticks, style) = date_ticks(DEC_1, DEC_1 + days * DAY, utc).unwrap();
            let inside = ticks
                .iter()
                .filter(|t| (DEC_1..=DEC_1 + days * DAY).contains(*t))
                .count();
            (inside, style)
        };
        assert_eq!(count(3.0), (4, TimeStyle::Date));
        assert_eq!(count(6.0), (7, TimeStyle::Date));
        // Two weeks: every second day.
        assert_eq!(count(14.0).1, TimeStyle::Date);
        assert!(count(14.0).0 <= 8);
        // Six weeks: Mondays.
        let (ticks, _) = date_ticks(DEC_1, DEC_1 + 42.0 * DAY, utc).unwrap();
        for t in &ticks {
            let day = (t / DAY) as i64;
            assert_eq!((day + 3) % 7, 0, "a Monday");
        }
        // A year: every second month, labelled with month and year; ten years: every second
        // year.
        let (ticks, style) = date_ticks(DEC_1, DEC_1 + 365.0 * DAY, utc).unwrap();
        assert_eq!(style, TimeStyle::Month);
        let months: Vec<(i64, u32, u32)> = ticks
            .iter()
            .map(|t| civil_from_days((t / DAY) as i64))
            .collect();
        assert_eq!(
            months,
            [
                (2027, 1, 1),
                (2027, 3, 1),
                (2027, 5, 1),
                (2027, 7, 1),
                (2027, 9, 1),
                (2027, 11, 1)
            ]
        );
        let (ticks, _) = date_ticks(DEC_1, DEC_1 + 3653.0 * DAY, utc).unwrap();
        assert!(ticks.len() <= 7, "{}", ticks.len());
        for (inside, _) in [1.0, 5.0, 20.0, 100.0, 400.0, 2000.0, 40_000.0].map(count) {
            assert!((1..=8).contains(&inside), "{inside}");
        }
    }

    #[test]
    fn hours_at_the_zones_round_times() {
        // Kolkata (UTC+5:30), twelve hours: ticks every two hours on Kolkata's clock, which
        // are half past on UTC's.
        let kolkata = |_: f64| 5.5 * HOUR;
        let ticks = time_ticks(DEC_1, DEC_1 + 12.0 * HOUR, kolkata).unwrap();
        let inside: Vec<f64> = ticks
            .iter()
            .copied()
            .filter(|t| (DEC_1..=DEC_1 + 12.0 * HOUR).contains(t))
            .collect();
        assert!((5..=7).contains(&inside.len()), "{inside:?}");
        for t in &inside {
            assert_eq!((t + 5.5 * HOUR).rem_euclid(2.0 * HOUR), 0.0, "{t}");
            assert_eq!(t.rem_euclid(HOUR), 0.5 * HOUR, "half past in UTC");
        }
        // The whole extent is covered, a tick either side at most one step beyond.
        assert!(ticks[0] <= DEC_1 && *ticks.last().unwrap() >= DEC_1 + 12.0 * HOUR);
        // Shorter spans get minutes; two days get six-hour steps.
        let step = |span: f64| {
            let t = time_ticks(DEC_1, DEC_1 + span, utc).unwrap();
            t[1] - t[0]
        };
        assert_eq!(step(5.0 * 60_000.0), 60_000.0);
        assert_eq!(step(HOUR), 10.0 * 60_000.0);
        assert_eq!(step(2.0 * DAY), 12.0 * HOUR);
        assert_eq!(step(DAY), 6.0 * HOUR);
        // Under a minute, or empty: ECharts' own.
        assert!(time_ticks(DEC_1, DEC_1 + 30_000.0, utc).is_none());
        assert!(time_ticks(DEC_1, f64::NAN, utc).is_none());
    }

    #[test]
    fn no_ticks_for_an_empty_extent() {
        assert!(date_ticks(DEC_1, DEC_1, utc).is_none());
        assert!(date_ticks(f64::NAN, DEC_1, utc).is_none());
        assert!(date_ticks(DEC_1, f64::INFINITY, utc).is_none());
    }
}
