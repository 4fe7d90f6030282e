//! Time zones: a request's IANA `timeZone` (default UTC) decides where time buckets start and
//! where `today` begins. The math is here, on `chrono-tz`'s copy of the IANA database, and is
//! exposed to SQLite as the scalar function `vantage_bucket(ts, zone, granularity)` so that
//! queries group rows by the bucket's start instant (epoch ms) directly.
//!
//! Buckets follow the local wall clock: `1d` starts at local midnight, so a daylight-saving day
//! is 23 or 25 hours long; `1w` starts on Monday, `1mo` on the first; `1h` and shorter start on
//! the local hour or minute (which differs from UTC only in zones like `Asia/Kolkata`).
//!
//! ```ignore
//! let berlin = zone::parse(Some("Europe/Berlin"))?;
//! // 2024-03-31 (clocks go forward) starts at 23:00 UTC the day before and lasts 23 hours.
//! assert_eq!(zone::bucket_start(berlin, Granularity::Day, ms("2024-03-31T12:00Z")), ms("2024-03-30T23:00Z"));
//! ```

use crate::error::{AppError, AppResult};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;
use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;
use vantage_contract::{validate_time_zone, Granularity};

/// Name of the SQLite function registered by [`register`].
pub const SQL_FUNCTION: &str = "vantage_bucket";

/// The zone a request names, UTC when it names none.
///
/// # Errors
/// 422 on `timeZone` for a malformed or unknown zone name.
pub fn parse(name: Option<&str>) -> AppResult<Tz> {
    let Some(name) = name else {
        return Ok(Tz::UTC);
    };
    validate_time_zone(name)?;
    name.parse::<Tz>().map_err(|_| {
        AppError::field(
            "timeZone",
            format!(
                "unknown time zone '{name}': use an IANA name such as 'Europe/Berlin' or 'UTC'"
            ),
        )
    })
}

/// Whether buckets in `tz` can be computed by integer division in SQL (UTC, or sub-hour buckets
/// in any zone, whose offsets are multiples of 15 minutes).
pub fn is_plain(tz: Tz, g: Granularity) -> bool {
    match g {
        Granularity::Minute | Granularity::FiveMinutes | Granularity::FifteenMinutes => true,
        Granularity::Hour | Granularity::Day => tz == Tz::UTC,
        Granularity::Week | Granularity::Month => false,
    }
}

/// Whether `tz` is a whole number of hours from UTC throughout `[from, to)` (sampled every six
/// hours; no zone has kept an offset for less), so that every UTC hour lies inside one of its
/// local hours, days, weeks and months. False for ranges over ten years (not worth sampling).
pub fn whole_hours(tz: Tz, from: i64, to: i64) -> bool {
    const STEP: i64 = 6 * 3_600_000;
    if to.saturating_sub(from) > 10 * 366 * 86_400_000 {
        return false;
    }
    let mut t = from;
    while t < to {
        if offset_ms(tz, t) % 3_600_000 != 0 {
            return false;
        }
        t += STEP;
    }
    offset_ms(tz, to.saturating_sub(1)) % 3_600_000 == 0
}

/// The wire name of a granularity (`1d`), as passed to the SQL function.
pub fn wire(g: Granularity) -> &'static str {
    match g {
        Granularity::Minute => "1m",
        Granularity::FiveMinutes => "5m",
        Granularity::FifteenMinutes => "15m",
        Granularity::Hour => "1h",
        Granularity::Day => "1d",
        Granularity::Week => "1w",
        Granularity::Month => "1mo",
    }
}

fn from_wire(s: &str) -> Option<Granularity> {
    Some(match s {
        "1m" => Granularity::Minute,
        "5m" => Granularity::FiveMinutes,
        "15m" => Granularity::FifteenMinutes,
        "1h" => Granularity::Hour,
        "1d" => Granularity::Day,
        "1w" => Granularity::Week,
        "1mo" => Granularity::Month,
        _ => return None,
    })
}

/// UTC offset of `tz` at instant `ms`, in ms.
fn offset_ms(tz: Tz, ms: i64) -> i64 {
    let utc = DateTime::from_timestamp_millis(ms).unwrap_or_default();
    i64::from(
        tz.offset_from_utc_datetime(&utc.naive_utc())
            .fix()
            .local_minus_utc(),
    ) * 1000
}

fn local_date(tz: Tz, ms: i64) -> NaiveDate {
    let utc = DateTime::from_timestamp_millis(ms).unwrap_or_default();
    utc.with_timezone(&tz).date_naive()
}

/// The instant local wall-clock time `t` happens in `tz`: the earlier one when clocks go back,
/// and when `t` falls in a gap (clocks go forward over it), the instant the gap ends.
fn instant_of(tz: Tz, t: NaiveDateTime) -> i64 {
    let mut probe = t;
    // Gaps end on a quarter hour and last at most a day (Samoa skipped 2011-12-30).
    for _ in 0..=(26 * 4) {
        if let Some(d) = tz.from_local_datetime(&probe).earliest() {
            return d.timestamp_millis();
        }
        probe += Duration::minutes(15);
    }
    t.and_utc().timestamp_millis()
}

fn midnight(tz: Tz, date: NaiveDate) -> i64 {
    instant_of(tz, date.and_hms_opt(0, 0, 0).unwrap_or_default())
}

/// Start (epoch ms) of the local day containing `ms`: where `today` begins.
pub fn day_start(tz: Tz, ms: i64) -> i64 {
    midnight(tz, local_date(tz, ms))
}

/// Start (epoch ms) of the `g` bucket containing instant `ms` on `tz`'s wall clock.
pub fn bucket_start(tz: Tz, g: Granularity, ms: i64) -> i64 {
    match g {
        Granularity::Minute
        | Granularity::FiveMinutes
        | Granularity::FifteenMinutes
        | Granularity::Hour => {
            let (size, offset) = (g.ms(), offset_ms(tz, ms));
            (ms + offset).div_euclid(size) * size - offset
        }
        Granularity::Day => day_start(tz, ms),
        Granularity::Week => {
            let date = local_date(tz, ms);
            let monday = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
            midnight(tz, monday)
        }
        Granularity::Month => {
            let date = local_date(tz, ms);
            midnight(tz, date.with_day(1).unwrap_or(date))
        }
    }
}

/// Registers `vantage_bucket(ts INTEGER, zone TEXT, granularity TEXT) → INTEGER` (NULL for a
/// NULL `ts`) on `conn`. Zone and granularity are checked by the query before they reach SQL.
///
/// # Errors
/// SQLite refuses the registration.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        SQL_FUNCTION,
        3,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let ts: Option<i64> = ctx.get(0)?;
            let zone: String = ctx.get(1)?;
            let g: String = ctx.get(2)?;
            let bad = |what: String| rusqlite::Error::UserFunctionError(what.into());
            let tz = zone
                .parse::<Tz>()
                .map_err(|_| bad(format!("unknown zone {zone}")))?;
            let g = from_wire(&g).ok_or_else(|| bad(format!("unknown granularity {g}")))?;
            Ok(ts.map(|ts| bucket_start(tz, g, ts)))
        },
    )
}

/// SQL expression for the bucket start of `column` (a ms timestamp column, already quoted).
/// Zone names come from the time zone database (letters, digits, `/_+-`), so inlining is safe.
pub fn bucket_sql(column: &str, tz: Tz, g: Granularity) -> String {
    if is_plain(tz, g) {
        format!("(({column} / {ms}) * {ms})", ms = g.ms())
    } else {
        format!("{SQL_FUNCTION}({column}, '{}', '{}')", tz.name(), wire(g))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
    }

    const HOUR: i64 = 3_600_000;

    #[test]
    fn whole_hour_zones_are_told_apart_from_half_hour_ones() {
        let (from, to) = (ms("2024-01-01T00:00:00Z"), ms("2024-12-31T00:00:00Z"));
        assert!(whole_hours(Tz::UTC, from, to));
        assert!(whole_hours(Tz::Europe__Berlin, from, to));
        assert!(!whole_hours(Tz::Asia__Kolkata, from, to));
        // Lord Howe is +10:30 in winter, +11 in summer: a summer week passes, a year does not.
        let summer = ms("2024-01-10T00:00:00Z");
        assert!(whole_hours(
            Tz::Australia__Lord_Howe,
            summer,
            summer + 7 * 86_400_000
        ));
        assert!(!whole_hours(Tz::Australia__Lord_Howe, from, to));
    }

    #[test]
    fn unknown_and_malformed_zones_are_422_on_time_zone() {
        assert_eq!(parse(None).unwrap(), Tz::UTC);
        assert_eq!(parse(Some("Asia/Tokyo")).unwrap(), Tz::Asia__Tokyo);
        for bad in ["Mars/Olympus_Mons", "Europe/Berlin'--", ""] {
            let e = parse(Some(bad)).unwrap_err();
            assert_eq!(e.code, vantage_contract::ErrorCode::ValidationFailed);
            assert_eq!(e.details.unwrap()["field"], "timeZone", "{bad}");
        }
    }

    #[test]
    fn a_day_bucket_starts_at_local_midnight() {
        let t = ms("2024-05-10T16:00:00Z");
        assert_eq!(
            bucket_start(Tz::UTC, Granularity::Day, t),
            ms("2024-05-10T00:00:00Z")
        );
        // 16:00 UTC is 01:00 the next day in Tokyo (UTC+9).
        assert_eq!(
            bucket_start(Tz::Asia__Tokyo, Granularity::Day, t),
            ms("2024-05-10T15:00:00Z")
        );
        assert_eq!(
            bucket_start(Tz::America__New_York, Granularity::Day, t),
            ms("2024-05-10T04:00:00Z")
        );
    }

    #[test]
    fn berlin_spring_forward_day_has_23_hours() {
        let berlin = Tz::Europe__Berlin;
        let start = bucket_start(berlin, Granularity::Day, ms("2024-03-31T12:00:00Z"));
        let next = bucket_start(berlin, Granularity::Day, ms("2024-04-01T12:00:00Z"));
        assert_eq!(start, ms("2024-03-30T23:00:00Z"));
        assert_eq!(next, ms("2024-03-31T22:00:00Z"));
        assert_eq!(next - start, 23 * HOUR);
        // The last instant of the short day still belongs to it.
        assert_eq!(bucket_start(berlin, Granularity::Day, next - 1), start);
    }

    #[test]
    fn berlin_fall_back_day_has_25_hours_and_two_distinct_2am_hours() {
        let berlin = Tz::Europe__Berlin;
        let start = bucket_start(berlin, Granularity::Day, ms("2024-10-27T12:00:00Z"));
        let next = bucket_start(berlin, Granularity::Day, ms("2024-10-28T12:00:00Z"));
        assert_eq!(start, ms("2024-10-26T22:00:00Z"));
        assert_eq!(next - start, 25 * HOUR);
        // 02:30 happens twice: once in CEST (00:30 UTC), once in CET (01:30 UTC).
        let first = bucket_start(berlin, Granularity::Hour, ms("2024-10-27T00:30:00Z"));
        let second = bucket_start(berlin, Granularity::Hour, ms("2024-10-27T01:30:00Z"));
        assert_eq!(first, ms("2024-10-27T00:00:00Z"));
        assert_eq!(second, ms("2024-10-27T01:00:00Z"));
    }

    #[test]
    fn hours_follow_half_hour_offsets() {
        // Asia/Kolkata is UTC+5:30: local hours start at :30 UTC.
        let t = ms("2024-05-10T10:10:00Z");
        assert_eq!(
            bucket_start(Tz::Asia__Kolkata, Granularity::Hour, t),
            ms("2024-05-10T09:30:00Z")
        );
        assert_eq!(
            bucket_start(Tz::UTC, Granularity::Hour, t),
            ms("2024-05-10T10:00:00Z")
        );
    }

    #[test]
    fn weeks_start_monday_and_months_on_the_first() {
        // 2024-05-10 is a Friday.
        let t = ms("2024-05-10T16:00:00Z");
        assert_eq!(
            bucket_start(Tz::UTC, Granularity::Week, t),
            ms("2024-05-06T00:00:00Z")
        );
        assert_eq!(
            bucket_start(Tz::Europe__Berlin, Granularity::Week, t),
            ms("2024-05-05T22:00:00Z")
        );
        assert_eq!(
            bucket_start(Tz::Europe__Berlin, Granularity::Month, t),
            ms("2024-04-30T22:00:00Z")
        );
        // A month spanning the March change starts in CET (UTC+1).
        assert_eq!(
            bucket_start(
                Tz::Europe__Berlin,
                Granularity::Month,
                ms("2024-03-31T12:00:00Z")
            ),
            ms("2024-02-29T23:00:00Z")
        );
    }

    #[test]
    fn a_midnight_in_a_gap_starts_the_day_when_the_gap_ends() {
        // America/Santiago skipped 2022-09-11 00:00–01:00 local (UTC-4 → UTC-3).
        let start = day_start(Tz::America__Santiago, ms("2022-09-11T12:00:00Z"));
        assert_eq!(start, ms("2022-09-11T04:00:00Z"));
    }

    #[test]
    fn the_sql_function_matches_the_rust_math() {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        let t = ms("2024-10-27T12:00:00Z");
        let sql = format!(
            "SELECT {}",
            bucket_sql("?1", Tz::Europe__Berlin, Granularity::Day)
        );
        let got: i64 = conn.query_row(&sql, [t], |r| r.get(0)).unwrap();
        assert_eq!(got, ms("2024-10-26T22:00:00Z"));
        assert_eq!(
            bucket_sql("ts", Tz::UTC, Granularity::Hour),
            "((ts / 3600000) * 3600000)"
        );
    }
}
