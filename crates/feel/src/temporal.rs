//! FEEL temporal values: date, time, date and time (local, with a UTC offset
//! or with an IANA zone), years and months duration, days and time duration.
//! Parsing follows the XML Schema lexical forms that FEEL uses.

use std::cmp::Ordering;
use std::fmt;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike, Weekday};

use crate::number::Number;

const NANOS_PER_SECOND: i128 = 1_000_000_000;
const NANOS_PER_DAY: i128 = 86_400 * NANOS_PER_SECOND;

/// The latest year of a FEEL date (DMN 1.5, 10.3.2.3.5).
pub const MAX_YEAR: i64 = 999_999_999;
/// The earliest year of a FEEL date.
pub const MIN_YEAR: i64 = -999_999_999;

/// The Gregorian calendar repeats every 400 years: 146,097 days, a whole
/// number of weeks. chrono does the calendar arithmetic (day counts,
/// weekdays, ISO weeks) on the same day of the cycle that starts in
/// `CYCLE_BASE_YEAR`, far inside the years it supports, and the year is
/// kept apart.
const CYCLE_YEARS: i64 = 400;
const CYCLE_DAYS: i64 = 146_097;
const CYCLE_BASE_YEAR: i32 = 2000;

/// Why a date, time or date and time could not be built or parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TemporalError(String);

impl TemporalError {
    fn new(message: impl Into<String>) -> TemporalError {
        TemporalError(message.into())
    }
}

/// A FEEL date: a day of the proleptic Gregorian calendar with a year from
/// [`MIN_YEAR`] to [`MAX_YEAR`] (chrono's `NaiveDate` stops at ±262,143).
/// Ordered chronologically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    // Field order is chronological order for the derived `Ord`.
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// The date `year-month-day`, or why it does not exist.
    pub fn from_ymd(year: i64, month: i64, day: i64) -> Result<Date, TemporalError> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(TemporalError::new(format!(
                "year {year} is outside the FEEL range {MIN_YEAR}..{MAX_YEAR}"
            )));
        }
        if !(1..=12).contains(&month) {
            return Err(TemporalError::new(format!(
                "month {month} is outside 1..12"
            )));
        }
        let (year, month) = (
            i32::try_from(year).expect("the FEEL year range fits an i32"),
            u8::try_from(month).expect("checked 1..=12"),
        );
        let last = days_in_month(year, month);
        if !(1..=i64::from(last)).contains(&day) {
            return Err(TemporalError::new(format!(
                "day {day} does not exist in {}-{month:02}, which has {last} days",
                YearDisplay(year)
            )));
        }
        let day = u8::try_from(day).expect("checked 1..=31");
        Ok(Date { year, month, day })
    }

    /// The year, from [`MIN_YEAR`] to [`MAX_YEAR`].
    pub fn year(&self) -> i64 {
        i64::from(self.year)
    }

    /// The month, 1 to 12.
    pub fn month(&self) -> u32 {
        u32::from(self.month)
    }

    /// The day of the month, from 1.
    pub fn day(&self) -> u32 {
        u32::from(self.day)
    }

    /// The number of whole 400-year cycles before this date's cycle
    /// (counted from year 0), and the same day in the cycle that starts in
    /// `CYCLE_BASE_YEAR`.
    fn in_cycle(&self) -> (i64, NaiveDate) {
        let year = i64::from(self.year);
        let cycles = year.div_euclid(CYCLE_YEARS);
        let year_in_cycle =
            i32::try_from(year.rem_euclid(CYCLE_YEARS)).expect("a year in a cycle is below 400");
        let date =
            NaiveDate::from_ymd_opt(CYCLE_BASE_YEAR + year_in_cycle, self.month(), self.day())
                .expect("a valid FEEL date exists in every 400-year cycle");
        (cycles, date)
    }

    /// Days since 0000-01-01 (negative before it).
    pub fn days(&self) -> i64 {
        let (cycles, date) = self.in_cycle();
        cycles * CYCLE_DAYS + i64::from(date.num_days_from_ce() - cycle_start().num_days_from_ce())
    }

    /// The date `days` days after 0000-01-01, when its year is in range.
    pub fn from_days(days: i64) -> Result<Date, TemporalError> {
        let cycles = days.div_euclid(CYCLE_DAYS);
        let offset = days.rem_euclid(CYCLE_DAYS);
        let date = cycle_start()
            .checked_add_days(chrono::Days::new(
                u64::try_from(offset).expect("rem_euclid is not negative"),
            ))
            .expect("a day within one cycle of the base year exists");
        let year = cycles
            .checked_mul(CYCLE_YEARS)
            .and_then(|y| y.checked_add(i64::from(date.year() - CYCLE_BASE_YEAR)))
            .filter(|y| (MIN_YEAR..=MAX_YEAR).contains(y))
            .ok_or_else(|| {
                TemporalError::new(format!(
                    "the date {days} days after 0000-01-01 is outside the FEEL years {MIN_YEAR}..{MAX_YEAR}"
                ))
            })?;
        Date::from_ymd(year, i64::from(date.month()), i64::from(date.day()))
    }

    /// The date `n` days later (earlier when negative).
    pub fn add_days(&self, n: i64) -> Result<Date, TemporalError> {
        let days = self.days().checked_add(n).ok_or_else(|| {
            TemporalError::new(format!("{self} plus {n} days is outside the FEEL years"))
        })?;
        Date::from_days(days)
    }

    /// The date `months` months later, the day clamped to the last day of
    /// the month reached (2020-01-31 plus one month is 2020-02-29).
    pub fn add_months(&self, months: i64) -> Result<Date, TemporalError> {
        let total = (i64::from(self.year) * 12 + i64::from(self.month) - 1)
            .checked_add(months)
            .ok_or_else(|| {
                TemporalError::new(format!(
                    "{self} plus {months} months is outside the FEEL years"
                ))
            })?;
        let year = total.div_euclid(12);
        let month = total.rem_euclid(12) + 1;
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(TemporalError::new(format!(
                "{self} plus {months} months is in year {year}, outside the FEEL range {MIN_YEAR}..{MAX_YEAR}"
            )));
        }
        let last = days_in_month(
            i32::try_from(year).expect("the FEEL year range fits an i32"),
            u8::try_from(month).expect("rem_euclid(12) + 1 is a month"),
        );
        Date::from_ymd(year, month, i64::from(self.day.min(last)))
    }

    /// The day of the year, from 1.
    pub fn ordinal(&self) -> u32 {
        self.in_cycle().1.ordinal()
    }

    /// The day of the week.
    pub fn weekday(&self) -> Weekday {
        self.in_cycle().1.weekday()
    }

    /// The ISO 8601 week number, 1 to 53.
    pub fn iso_week(&self) -> u32 {
        self.in_cycle().1.iso_week().week()
    }

    /// This date in chrono, for time zone lookups: the date itself when
    /// chrono has it, otherwise the same day of the 400-year cycle in years
    /// 2000..=2399 for a later date, -400..=-1 for an earlier one: the same
    /// calendar, and a zone's present rules or its earliest (local mean
    /// time) offset.
    fn to_chrono(self) -> NaiveDate {
        if let Some(d) = NaiveDate::from_ymd_opt(self.year, self.month(), self.day()) {
            return d;
        }
        let cycle = i32::try_from(CYCLE_YEARS).expect("400 fits an i32");
        let in_cycle = self.year.rem_euclid(cycle);
        let year = if self.year > 0 {
            CYCLE_BASE_YEAR + in_cycle
        } else {
            in_cycle - cycle
        };
        NaiveDate::from_ymd_opt(year, self.month(), self.day())
            .expect("a valid FEEL date exists in every 400-year cycle")
    }
}

fn cycle_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(CYCLE_BASE_YEAR, 1, 1).expect("2000-01-01 exists")
}

fn is_leap_year(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A year as FEEL writes it: at least four digits, `-` before negative ones.
struct YearDisplay(i32);

impl fmt::Display for YearDisplay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 < 0 {
            write!(f, "-{:04}", self.0.unsigned_abs())
        } else {
            write!(f, "{:04}", self.0)
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{:02}-{:02}",
            YearDisplay(self.year),
            self.month,
            self.day
        )
    }
}

/// The zone of a time or date and time value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zone {
    /// A fixed offset from UTC in seconds (`Z`, `+01:00`).
    Offset(i32),
    /// An IANA time zone (`@Europe/Paris`).
    Named(chrono_tz::Tz),
}

impl Zone {
    /// The UTC offset in seconds that the zone has at the given local time.
    pub fn offset_at(&self, local: &NaiveDateTime) -> i32 {
        match self {
            Zone::Offset(s) => *s,
            Zone::Named(tz) => tz
                .offset_from_local_datetime(local)
                .earliest()
                .map(|o| o.fix().local_minus_utc())
                .or_else(|| {
                    // In a gap (spring forward): take the offset just after it.
                    let later = local.checked_add_signed(chrono::Duration::hours(1))?;
                    tz.offset_from_local_datetime(&later)
                        .earliest()
                        .map(|o| o.fix().local_minus_utc())
                })
                .unwrap_or(0),
        }
    }

    fn fmt_offset(secs: i32, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if secs == 0 {
            return f.write_str("Z");
        }
        let sign = if secs < 0 { '-' } else { '+' };
        let a = secs.abs();
        write!(f, "{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)?;
        if a % 60 != 0 {
            write!(f, ":{:02}", a % 60)?;
        }
        Ok(())
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Zone::Offset(s) => Zone::fmt_offset(*s, f),
            Zone::Named(tz) => write!(f, "@{}", tz.name()),
        }
    }
}

/// A FEEL time: a time of day with an optional zone.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Time {
    /// The local time of day.
    pub time: NaiveTime,
    /// `None` for a local time.
    pub zone: Option<Zone>,
}

/// A FEEL date and time with an optional zone.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DateTime {
    /// The local date.
    pub date: Date,
    /// The local time of day.
    pub time: NaiveTime,
    /// `None` for a local date and time.
    pub zone: Option<Zone>,
}

/// A days and time duration, in nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DayTimeDuration(pub i128);

/// A years and months duration, in months.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonthDuration(pub i64);

fn fmt_seconds_fraction(nanos: u32, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    if nanos != 0 {
        let s = format!("{nanos:09}");
        write!(f, ".{}", s.trim_end_matches('0'))?;
    }
    Ok(())
}

fn fmt_time(t: &NaiveTime, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(f, "{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())?;
    fmt_seconds_fraction(t.nanosecond() % 1_000_000_000, f)
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_time(&self.time, f)?;
        if let Some(z) = &self.zone {
            write!(f, "{z}")?;
        }
        Ok(())
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}T", self.date)?;
        fmt_time(&self.time, f)?;
        if let Some(z) = &self.zone {
            write!(f, "{z}")?;
        }
        Ok(())
    }
}

impl fmt::Display for YearMonthDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.0;
        if m < 0 {
            f.write_str("-")?;
        }
        let a = m.unsigned_abs();
        let (y, mo) = (a / 12, a % 12);
        f.write_str("P")?;
        if y != 0 {
            write!(f, "{y}Y")?;
        }
        if mo != 0 || y == 0 {
            write!(f, "{mo}M")?;
        }
        Ok(())
    }
}

impl fmt::Display for DayTimeDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        if n < 0 {
            f.write_str("-")?;
        }
        let a = n.unsigned_abs();
        let nanos = (a % NANOS_PER_SECOND as u128) as u32;
        let total_secs = a / NANOS_PER_SECOND as u128;
        let days = total_secs / 86_400;
        let hours = (total_secs % 86_400) / 3600;
        let minutes = (total_secs % 3600) / 60;
        let secs = total_secs % 60;
        f.write_str("P")?;
        if days != 0 {
            write!(f, "{days}D")?;
        }
        if hours != 0 || minutes != 0 || secs != 0 || nanos != 0 || days == 0 {
            f.write_str("T")?;
            if hours != 0 {
                write!(f, "{hours}H")?;
            }
            if minutes != 0 {
                write!(f, "{minutes}M")?;
            }
            if secs != 0 || nanos != 0 || (hours == 0 && minutes == 0) {
                write!(f, "{secs}")?;
                fmt_seconds_fraction(nanos, f)?;
                f.write_str("S")?;
            }
        }
        Ok(())
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Parses `YYYY-MM-DD`: a year of four or more digits (no leading zero
/// beyond four), optionally negative, from [`MIN_YEAR`] to [`MAX_YEAR`].
pub fn parse_date(s: &str) -> Result<Date, TemporalError> {
    let bad = || TemporalError::new(format!("{s:?} is not a date: expected [-]YYYY-MM-DD"));
    let (neg, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let mut parts = rest.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    if y.len() < 4 || (y.len() > 4 && y.starts_with('0')) || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    if !all_digits(y) || !all_digits(m) || !all_digits(d) {
        return Err(bad());
    }
    // More digits than any i64 holds are out of range all the same.
    let year = y.parse::<i64>().unwrap_or(i64::MAX);
    let year = if neg { -year } else { year };
    let (m, d) = (
        m.parse::<i64>().map_err(|_| bad())?,
        d.parse::<i64>().map_err(|_| bad())?,
    );
    Date::from_ymd(year, m, d).map_err(|e| TemporalError::new(format!("date {s:?}: {e}")))
}

/// Parses a zone suffix: `Z`, `+hh:mm`, `-hh:mm[:ss]`, `@Area/City`.
pub fn parse_zone(s: &str) -> Option<Zone> {
    if s == "Z" || s == "z" {
        return Some(Zone::Offset(0));
    }
    if let Some(name) = s.strip_prefix('@') {
        return parse_zone_name(name);
    }
    parse_offset(s).map(Zone::Offset)
}

/// Parses an IANA zone name (also `UTC`, `Z`-less forms like `Etc/UTC`).
pub fn parse_zone_name(name: &str) -> Option<Zone> {
    name.parse::<chrono_tz::Tz>().ok().map(Zone::Named)
}

/// Parses `+hh:mm`, `-hh:mm` or `+hh:mm:ss` into seconds.
pub fn parse_offset(s: &str) -> Option<i32> {
    let sign = match s.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let parts: Vec<&str> = s[1..].split(':').collect();
    if parts.len() < 2 || parts.len() > 3 || parts.iter().any(|p| p.len() != 2 || !all_digits(p)) {
        return None;
    }
    let h: i32 = parts[0].parse().ok()?;
    let m: i32 = parts[1].parse().ok()?;
    let sec: i32 = if parts.len() == 3 {
        parts[2].parse().ok()?
    } else {
        0
    };
    if h > 14 || m > 59 || sec > 59 {
        return None;
    }
    Some(sign * (h * 3600 + m * 60 + sec))
}

/// Parses `hh:mm:ss[.fff]` and returns the time and the rest of the string.
/// `24:00:00` is accepted as midnight.
fn parse_local_time(s: &str) -> Option<(NaiveTime, &str)> {
    let b = s.as_bytes();
    if b.len() < 8 || !b[..8].is_ascii() || b[2] != b':' || b[5] != b':' {
        return None;
    }
    let (h, m, sec) = (&s[0..2], &s[3..5], &s[6..8]);
    if !all_digits(h) || !all_digits(m) || !all_digits(sec) {
        return None;
    }
    let mut rest = &s[8..];
    let mut nanos = 0u32;
    if let Some(r) = rest.strip_prefix('.') {
        let end = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
        let frac = &r[..end];
        if frac.is_empty() {
            return None;
        }
        let mut digits: String = frac.chars().take(9).collect();
        while digits.len() < 9 {
            digits.push('0');
        }
        nanos = digits.parse().ok()?;
        rest = &r[end..];
    }
    let (h, m, sec): (u32, u32, u32) = (h.parse().ok()?, m.parse().ok()?, sec.parse().ok()?);
    let t = if h == 24 && m == 0 && sec == 0 && nanos == 0 {
        NaiveTime::from_hms_opt(0, 0, 0)?
    } else {
        NaiveTime::from_hms_nano_opt(h, m, sec, nanos)?
    };
    Some((t, rest))
}

/// Parses a FEEL time string: `10:30:00`, `10:30:00.5+01:00`,
/// `10:30:00@Europe/Paris`, `10:30:00Z`.
pub fn parse_time(s: &str) -> Option<Time> {
    let (time, rest) = parse_local_time(s)?;
    let zone = if rest.is_empty() {
        None
    } else {
        Some(parse_zone(rest)?)
    };
    Some(Time { time, zone })
}

/// Parses a FEEL date and time string: `2017-01-01T10:30:00[zone]`, or a
/// bare date (midnight, local).
pub fn parse_date_time(s: &str) -> Result<DateTime, TemporalError> {
    match s.find('T') {
        Some(i) => {
            let date = parse_date(&s[..i])?;
            let t = parse_time(&s[i + 1..]).ok_or_else(|| {
                TemporalError::new(format!(
                    "{s:?} is not a date and time: {:?} is not a time (hh:mm:ss[.f][zone])",
                    &s[i + 1..]
                ))
            })?;
            // 24:00:00 is the start of the next day.
            let date = if s[i + 1..].starts_with("24:") {
                date.add_days(1)?
            } else {
                date
            };
            Ok(DateTime {
                date,
                time: t.time,
                zone: t.zone,
            })
        }
        None => Ok(DateTime::midnight(parse_date(s)?, None)),
    }
}

/// A parsed ISO 8601 duration of either kind.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ParsedDuration {
    /// Only years and months were given.
    YearMonth(YearMonthDuration),
    /// Only days, hours, minutes and seconds were given.
    DayTime(DayTimeDuration),
}

/// Parses `P1Y2M`, `-P2DT3H4M5.5S`, `PT0S`. Years and months mixed with days
/// or times are rejected (FEEL has no such value).
pub fn parse_duration(s: &str) -> Option<ParsedDuration> {
    let (neg, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let rest = rest.strip_prefix('P')?;
    if rest.is_empty() {
        return None;
    }
    let (date_part, time_part) = match rest.find('T') {
        Some(i) => {
            let t = &rest[i + 1..];
            if t.is_empty() {
                return None;
            }
            (&rest[..i], Some(t))
        }
        None => (rest, None),
    };
    let mut years: Option<i128> = None;
    let mut months: Option<i128> = None;
    let mut days: Option<i128> = None;
    let mut num = String::new();
    let mut order = 0;
    for c in date_part.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        if num.is_empty() {
            return None;
        }
        let v: i128 = num.parse().ok()?;
        num.clear();
        let pos = match c {
            'Y' => 1,
            'M' => 2,
            'D' => 3,
            _ => return None,
        };
        if pos <= order {
            return None;
        }
        order = pos;
        match c {
            'Y' => years = Some(v),
            'M' => months = Some(v),
            _ => days = Some(v),
        }
    }
    if !num.is_empty() {
        return None;
    }
    let mut hours: Option<i128> = None;
    let mut minutes: Option<i128> = None;
    let mut seconds: Option<i128> = None; // nanoseconds
    if let Some(t) = time_part {
        let mut order = 0;
        for c in t.chars() {
            if c.is_ascii_digit() || c == '.' {
                num.push(c);
                continue;
            }
            if num.is_empty() {
                return None;
            }
            let pos = match c {
                'H' => 1,
                'M' => 2,
                'S' => 3,
                _ => return None,
            };
            if pos <= order {
                return None;
            }
            order = pos;
            if c == 'S' {
                let (int, frac) = match num.split_once('.') {
                    Some((i, f)) => (i, f),
                    None => (num.as_str(), ""),
                };
                if int.is_empty() || !all_digits(int) || (!frac.is_empty() && !all_digits(frac)) {
                    return None;
                }
                let mut f: String = frac.chars().take(9).collect();
                while f.len() < 9 {
                    f.push('0');
                }
                let i: i128 = int.parse().ok()?;
                let n: i128 = f.parse().ok()?;
                seconds = Some(i.checked_mul(NANOS_PER_SECOND)?.checked_add(n)?);
            } else {
                if !all_digits(&num) {
                    return None;
                }
                let v: i128 = num.parse().ok()?;
                if c == 'H' {
                    hours = Some(v);
                } else {
                    minutes = Some(v);
                }
            }
            num.clear();
        }
        if !num.is_empty() {
            return None;
        }
    }
    let sign = if neg { -1 } else { 1 };
    let ym = years.is_some() || months.is_some();
    let dt = days.is_some() || hours.is_some() || minutes.is_some() || seconds.is_some();
    if ym && dt {
        return None;
    }
    if ym {
        let m = years
            .unwrap_or(0)
            .checked_mul(12)?
            .checked_add(months.unwrap_or(0))?;
        return Some(ParsedDuration::YearMonth(YearMonthDuration(
            i64::try_from(m * sign).ok()?,
        )));
    }
    if !dt {
        return None;
    }
    let secs = days
        .unwrap_or(0)
        .checked_mul(86_400)?
        .checked_add(hours.unwrap_or(0).checked_mul(3600)?)?
        .checked_add(minutes.unwrap_or(0).checked_mul(60)?)?;
    let nanos = secs
        .checked_mul(NANOS_PER_SECOND)?
        .checked_add(seconds.unwrap_or(0))?;
    Some(ParsedDuration::DayTime(DayTimeDuration(nanos * sign)))
}

impl DayTimeDuration {
    /// From whole seconds.
    pub fn from_seconds(s: i64) -> DayTimeDuration {
        DayTimeDuration(i128::from(s) * NANOS_PER_SECOND)
    }

    /// The duration in seconds as a FEEL number (fractional when needed).
    pub fn as_seconds_number(&self) -> Option<Number> {
        let n = Number::parse(&self.0.to_string())?;
        n.div(&Number::from_i64(1_000_000_000))
    }

    /// Builds a duration from a number of seconds, rounding to nanoseconds.
    pub fn from_seconds_number(n: &Number) -> Option<DayTimeDuration> {
        let nanos = n
            .mul(&Number::from_i64(1_000_000_000))?
            .round(0, crate::number::RoundingMode::HalfEven)?;
        let s = nanos.to_string();
        s.parse::<i128>().ok().map(DayTimeDuration)
    }

    /// Days component.
    pub fn days(&self) -> i64 {
        (self.0 / (86_400 * NANOS_PER_SECOND)) as i64
    }
    /// Hours component (0..24, signed).
    pub fn hours(&self) -> i64 {
        ((self.0 / (3600 * NANOS_PER_SECOND)) % 24) as i64
    }
    /// Minutes component (0..60, signed).
    pub fn minutes(&self) -> i64 {
        ((self.0 / (60 * NANOS_PER_SECOND)) % 60) as i64
    }
    /// Seconds component including the fraction (signed).
    pub fn seconds(&self) -> Option<Number> {
        DayTimeDuration(self.0 % (60 * NANOS_PER_SECOND)).as_seconds_number()
    }
}

fn outside_years() -> TemporalError {
    TemporalError::new(format!(
        "the date and time is outside the FEEL years {MIN_YEAR}..{MAX_YEAR}"
    ))
}

fn time_nanos(t: &NaiveTime) -> i128 {
    i128::from(t.num_seconds_from_midnight()) * NANOS_PER_SECOND
        + i128::from(t.nanosecond() % 1_000_000_000)
}

impl DateTime {
    /// Midnight at the start of `date`.
    pub fn midnight(date: Date, zone: Option<Zone>) -> DateTime {
        DateTime {
            date,
            time: NaiveTime::MIN,
            zone,
        }
    }

    /// Nanoseconds from 0000-01-01T00:00:00 to the local date and time.
    fn local_nanos(&self) -> i128 {
        i128::from(self.date.days()) * NANOS_PER_DAY + time_nanos(&self.time)
    }

    /// The local date and time `nanos` nanoseconds after 0000-01-01T00:00:00.
    fn from_local_nanos(nanos: i128, zone: Option<Zone>) -> Result<DateTime, TemporalError> {
        let days = i64::try_from(nanos.div_euclid(NANOS_PER_DAY)).map_err(|_| outside_years())?;
        let of_day = nanos.rem_euclid(NANOS_PER_DAY);
        let seconds = u32::try_from(of_day / NANOS_PER_SECOND).expect("seconds of a day fit a u32");
        let nanos = u32::try_from(of_day % NANOS_PER_SECOND).expect("nanoseconds fit a u32");
        Ok(DateTime {
            date: Date::from_days(days)?,
            time: NaiveTime::from_num_seconds_from_midnight_opt(seconds, nanos)
                .expect("a time of day below 86,400 seconds exists"),
            zone,
        })
    }

    /// The UTC offset in seconds (0 for a local date and time).
    pub fn offset_seconds(&self) -> i32 {
        self.zone.map_or(0, |z| {
            z.offset_at(&self.date.to_chrono().and_time(self.time))
        })
    }

    /// The instant in nanoseconds from 0000-01-01T00:00:00 UTC; for a local
    /// date and time, from the same local time.
    pub fn instant_nanos(&self) -> i128 {
        self.local_nanos() - i128::from(self.offset_seconds()) * NANOS_PER_SECOND
    }

    /// The same instant as a local date and time in UTC.
    pub fn utc(&self) -> Result<DateTime, TemporalError> {
        DateTime::from_local_nanos(self.instant_nanos(), None)
    }

    /// The same instant in another zone.
    pub fn at_zone(&self, zone: Zone) -> Result<DateTime, TemporalError> {
        let instant = self.instant_nanos();
        let offset = match zone {
            Zone::Offset(s) => s,
            Zone::Named(tz) => {
                let utc = DateTime::from_local_nanos(instant, None)?;
                tz.offset_from_utc_datetime(&utc.date.to_chrono().and_time(utc.time))
                    .fix()
                    .local_minus_utc()
            }
        };
        DateTime::from_local_nanos(instant + i128::from(offset) * NANOS_PER_SECOND, Some(zone))
    }

    /// Compares two date and time values: both local, or both with a zone.
    pub fn compare(&self, other: &DateTime) -> Option<Ordering> {
        match (self.zone.is_some(), other.zone.is_some()) {
            (true, true) | (false, false) => Some(self.instant_nanos().cmp(&other.instant_nanos())),
            _ => None,
        }
    }

    /// FEEL equality: the same instant to the millisecond (as the DMN TCK
    /// expects: `.0001` and `.0000` seconds are equal). `false` when only
    /// one has a zone.
    pub fn equals(&self, other: &DateTime) -> bool {
        const NANOS_PER_MILLI: i128 = 1_000_000;
        self.zone.is_some() == other.zone.is_some()
            && self.instant_nanos().div_euclid(NANOS_PER_MILLI)
                == other.instant_nanos().div_euclid(NANOS_PER_MILLI)
    }

    /// The difference `self - other` as a duration.
    pub fn minus(&self, other: &DateTime) -> Option<DayTimeDuration> {
        if self.zone.is_some() != other.zone.is_some() {
            return None;
        }
        Some(DayTimeDuration(
            self.instant_nanos() - other.instant_nanos(),
        ))
    }

    /// Adds a days and time duration: in a named zone, to the instant (the
    /// local time then follows the zone's rules); otherwise to the local
    /// date and time.
    pub fn plus(&self, d: &DayTimeDuration) -> Result<DateTime, TemporalError> {
        match self.zone {
            Some(zone @ Zone::Named(_)) => {
                let instant = self
                    .instant_nanos()
                    .checked_add(d.0)
                    .ok_or_else(outside_years)?;
                DateTime::from_local_nanos(instant, Some(Zone::Offset(0)))?.at_zone(zone)
            }
            zone => {
                let local = self
                    .local_nanos()
                    .checked_add(d.0)
                    .ok_or_else(outside_years)?;
                DateTime::from_local_nanos(local, zone)
            }
        }
    }

    /// Adds a number of months to the date, keeping the time and zone.
    pub fn add_months(&self, months: i64) -> Result<DateTime, TemporalError> {
        Ok(DateTime {
            date: self.date.add_months(months)?,
            ..*self
        })
    }
}

impl Time {
    /// Seconds since midnight UTC (or local midnight for local times), with
    /// nanoseconds.
    pub fn normalized_nanos(&self) -> i128 {
        let t = &self.time;
        let local = i128::from(t.num_seconds_from_midnight()) * NANOS_PER_SECOND
            + i128::from(t.nanosecond() % 1_000_000_000);
        let off = match &self.zone {
            Some(Zone::Offset(s)) => i128::from(*s),
            Some(z @ Zone::Named(_)) => {
                let reference = NaiveDate::from_ymd_opt(2000, 1, 1)
                    .unwrap_or_default()
                    .and_time(self.time);
                i128::from(z.offset_at(&reference))
            }
            None => 0,
        };
        local - off * NANOS_PER_SECOND
    }

    /// Compares two times: both local, or both with a zone.
    pub fn compare(&self, other: &Time) -> Option<Ordering> {
        if self.zone.is_some() != other.zone.is_some() {
            return None;
        }
        Some(self.normalized_nanos().cmp(&other.normalized_nanos()))
    }

    /// FEEL equality: the same time to the millisecond (see
    /// [`DateTime::equals`]).
    pub fn equals(&self, other: &Time) -> bool {
        const NANOS_PER_MILLI: i128 = 1_000_000;
        self.zone.is_some() == other.zone.is_some()
            && self.normalized_nanos().div_euclid(NANOS_PER_MILLI)
                == other.normalized_nanos().div_euclid(NANOS_PER_MILLI)
    }

    /// Adds a duration, wrapping around midnight.
    pub fn plus(&self, d: &DayTimeDuration) -> Time {
        let n = i128::from(self.time.num_seconds_from_midnight()) * NANOS_PER_SECOND
            + i128::from(self.time.nanosecond() % 1_000_000_000)
            + d.0.rem_euclid(86_400 * NANOS_PER_SECOND);
        let n = n.rem_euclid(86_400 * NANOS_PER_SECOND);
        let secs = (n / NANOS_PER_SECOND) as u32;
        let nanos = (n % NANOS_PER_SECOND) as u32;
        Time {
            time: NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos)
                .unwrap_or(NaiveTime::MIN),
            zone: self.zone,
        }
    }
}
