//! FEEL temporal values: date, time, date and time (local, with a UTC offset
//! or with an IANA zone), years and months duration, days and time duration.
//! Parsing follows the XML Schema lexical forms that FEEL uses.

use std::cmp::Ordering;
use std::fmt;

use chrono::{
    Datelike, Duration as ChronoDuration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone,
    Timelike,
};

use crate::number::Number;

const NANOS_PER_SECOND: i128 = 1_000_000_000;

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
                    let later = local.checked_add_signed(ChronoDuration::hours(1))?;
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
    /// The local date and time.
    pub date_time: NaiveDateTime,
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

/// Formats a date as FEEL does: `YYYY-MM-DD`, years beyond 9999 in full and
/// negative years with a leading `-`.
pub struct DateDisplay<'a>(pub &'a NaiveDate);

impl fmt::Display for DateDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.0;
        let y = d.year();
        if y < 0 {
            write!(f, "-{:04}-{:02}-{:02}", -y, d.month(), d.day())
        } else {
            write!(f, "{:04}-{:02}-{:02}", y, d.month(), d.day())
        }
    }
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
        write!(f, "{}T", DateDisplay(&self.date_time.date()))?;
        fmt_time(&self.date_time.time(), f)?;
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

/// Parses `YYYY-MM-DD` (years of four or more digits, optionally negative).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let (neg, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let mut parts = rest.splitn(3, '-');
    let y = parts.next()?;
    let m = parts.next()?;
    let d = parts.next()?;
    if y.len() < 4 || (y.len() > 4 && y.starts_with('0')) || m.len() != 2 || d.len() != 2 {
        return None;
    }
    if !all_digits(y) || !all_digits(m) || !all_digits(d) {
        return None;
    }
    let mut year: i32 = y.parse().ok()?;
    if neg {
        year = -year;
    }
    NaiveDate::from_ymd_opt(year, m.parse().ok()?, d.parse().ok()?)
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
pub fn parse_date_time(s: &str) -> Option<DateTime> {
    match s.find('T') {
        Some(i) => {
            let date = parse_date(&s[..i])?;
            let t = parse_time(&s[i + 1..])?;
            let dt = date.and_time(t.time);
            // 24:00:00 is the start of the next day.
            let dt = if s[i + 1..].starts_with("24:") {
                dt.checked_add_signed(ChronoDuration::days(1))?
            } else {
                dt
            };
            Some(DateTime {
                date_time: dt,
                zone: t.zone,
            })
        }
        None => {
            let date = parse_date(s)?;
            Some(DateTime {
                date_time: date.and_time(NaiveTime::MIN),
                zone: None,
            })
        }
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

    /// As a chrono duration (saturating).
    pub fn to_chrono(&self) -> Option<ChronoDuration> {
        let secs = i64::try_from(self.0.div_euclid(NANOS_PER_SECOND)).ok()?;
        let nanos = self.0.rem_euclid(NANOS_PER_SECOND) as i64;
        ChronoDuration::try_seconds(secs)?.checked_add(&ChronoDuration::nanoseconds(nanos))
    }

    /// From a chrono duration.
    pub fn from_chrono(d: ChronoDuration) -> DayTimeDuration {
        let secs = i128::from(d.num_seconds());
        let nanos = i128::from(d.subsec_nanos());
        DayTimeDuration(secs * NANOS_PER_SECOND + nanos)
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

/// Adds a number of months to a date, clamping the day to the month's end.
pub fn add_months(date: NaiveDate, months: i64) -> Option<NaiveDate> {
    let total = (i64::from(date.year()) * 12 + i64::from(date.month0())).checked_add(months)?;
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    let month0 = total.rem_euclid(12) as u32;
    let mut day = date.day();
    loop {
        if let Some(d) = NaiveDate::from_ymd_opt(year, month0 + 1, day) {
            return Some(d);
        }
        if day <= 28 {
            return None;
        }
        day -= 1;
    }
}

impl DateTime {
    /// UTC instant in seconds+nanos as a chrono `NaiveDateTime` in UTC;
    /// for local values, the local date and time itself.
    pub fn utc(&self) -> NaiveDateTime {
        match &self.zone {
            Some(z) => self
                .date_time
                .checked_sub_signed(ChronoDuration::seconds(i64::from(
                    z.offset_at(&self.date_time),
                )))
                .unwrap_or(self.date_time),
            None => self.date_time,
        }
    }

    /// Compares two date and time values: both local, or both with a zone.
    pub fn compare(&self, other: &DateTime) -> Option<Ordering> {
        match (self.zone.is_some(), other.zone.is_some()) {
            (true, true) | (false, false) => Some(self.utc().cmp(&other.utc())),
            _ => None,
        }
    }

    /// FEEL equality: the same instant to the millisecond (as the DMN TCK
    /// expects: `.0001` and `.0000` seconds are equal). `false` when only
    /// one has a zone.
    pub fn equals(&self, other: &DateTime) -> bool {
        self.zone.is_some() == other.zone.is_some()
            && self.utc().and_utc().timestamp_millis() == other.utc().and_utc().timestamp_millis()
    }

    /// The difference `self - other` as a duration.
    pub fn minus(&self, other: &DateTime) -> Option<DayTimeDuration> {
        if self.zone.is_some() != other.zone.is_some() {
            return None;
        }
        Some(DayTimeDuration::from_chrono(self.utc() - other.utc()))
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
