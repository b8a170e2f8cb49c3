//! Timer definitions: ISO 8601 dates, durations and repeating cycles
//! (`R3/PT10S`, `R/2025-01-01T00:00:00Z/P1D`), and cron expressions with 5
//! fields (minute hour day-of-month month day-of-week) or 6 fields (seconds
//! first, as in Camunda 8).
//!
//! All times are milliseconds since the Unix epoch, UTC. Nothing here reads
//! a clock: "now" is always an argument.

use serde::{Deserialize, Serialize};

/// A timer definition whose text was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid timer \"{text}\": {reason}")]
pub struct TimerError {
    /// The text that was parsed.
    pub text: String,
    /// What was wrong with it.
    pub reason: String,
}

fn timer_error(text: &str, reason: impl Into<String>) -> TimerError {
    TimerError {
        text: text.to_owned(),
        reason: reason.into(),
    }
}

/// An ISO 8601 duration: calendar months (years count as 12) plus an exact
/// number of milliseconds (weeks, days, hours, minutes, seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IsoDuration {
    /// Years × 12 + months; added on the calendar (day of month clamped).
    pub months: i64,
    /// Everything else, in milliseconds (a day is 24 hours, in UTC).
    pub millis: i64,
}

impl IsoDuration {
    /// Parses `PnYnMnWnDTnHnMnS` (fractional seconds allowed), e.g. `PT5M`,
    /// `P1D`, `P1Y2M`, `PT0.5S`.
    pub fn parse(text: &str) -> Result<Self, TimerError> {
        let body = text
            .strip_prefix('P')
            .ok_or_else(|| timer_error(text, "a duration starts with P, e.g. PT5M"))?;
        if body.is_empty() || body == "T" {
            return Err(timer_error(text, "the duration has no amount"));
        }
        let mut months = 0i64;
        let mut millis = 0f64;
        let mut in_time = false;
        let mut number = String::new();
        for character in body.chars() {
            match character {
                'T' if !in_time && number.is_empty() => in_time = true,
                '0'..='9' | '.' | ',' => {
                    number.push(if character == ',' { '.' } else { character })
                }
                unit => {
                    let amount: f64 = number
                        .parse()
                        .map_err(|_| timer_error(text, format!("missing number before {unit}")))?;
                    number.clear();
                    match (in_time, unit) {
                        (false, 'Y') => months += (amount as i64) * 12,
                        (false, 'M') => months += amount as i64,
                        (false, 'W') => millis += amount * 7.0 * 86_400_000.0,
                        (false, 'D') => millis += amount * 86_400_000.0,
                        (true, 'H') => millis += amount * 3_600_000.0,
                        (true, 'M') => millis += amount * 60_000.0,
                        (true, 'S') => millis += amount * 1000.0,
                        _ => return Err(timer_error(text, format!("unexpected unit {unit}"))),
                    }
                }
            }
        }
        if !number.is_empty() {
            return Err(timer_error(text, "a number without a unit at the end"));
        }
        Ok(IsoDuration {
            months,
            millis: millis.round() as i64,
        })
    }

    /// The instant this duration after `start`.
    pub fn after(&self, start: i64) -> i64 {
        let mut time = start;
        if self.months != 0 {
            let days = start.div_euclid(86_400_000);
            let within_day = start.rem_euclid(86_400_000);
            let (year, month, day) = civil_from_days(days);
            let total = year * 12 + (month as i64 - 1) + self.months;
            let new_year = total.div_euclid(12);
            let new_month = (total.rem_euclid(12) + 1) as u32;
            let new_day = day.min(days_in_month(new_year, new_month));
            time = days_from_civil(new_year, new_month, new_day) * 86_400_000 + within_day;
        }
        time + self.millis
    }

    fn is_zero(&self) -> bool {
        self.months == 0 && self.millis == 0
    }
}

/// When a timer fires, as defined on a timer event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum TimerSchedule {
    /// `timeDate`: once, at this instant.
    At {
        /// Milliseconds since the epoch.
        at: i64,
    },
    /// `timeDuration`: once, this long after the timer is created.
    After {
        /// The delay.
        duration: IsoDuration,
    },
    /// `timeCycle` in ISO 8601 form: `R[n]/[start/]duration`.
    Cycle {
        /// How many times it fires; `None` for unbounded (`R/…`).
        repetitions: Option<u32>,
        /// The first firing, when given; otherwise one interval from creation.
        start: Option<i64>,
        /// The interval between firings.
        interval: IsoDuration,
    },
    /// `timeCycle` as a cron expression; fires without end.
    Cron {
        /// The parsed expression.
        cron: CronSchedule,
    },
}

impl TimerSchedule {
    /// Parses a timer definition of the given kind (`timeDate`, `timeDuration`,
    /// `timeCycle`). A cycle that is not `R…` is read as a cron expression.
    pub fn parse(kind: flowdesk_model::bpmn::TimerKind, text: &str) -> Result<Self, TimerError> {
        use flowdesk_model::bpmn::TimerKind;
        let text = text.trim();
        match kind {
            TimerKind::Date => Ok(TimerSchedule::At {
                at: parse_date_time(text)?,
            }),
            TimerKind::Duration => {
                let duration = IsoDuration::parse(text)?;
                Ok(TimerSchedule::After { duration })
            }
            TimerKind::Cycle => {
                if let Some(rest) = text.strip_prefix('R') {
                    let parts: Vec<&str> = rest.split('/').collect();
                    let repetitions = match parts[0] {
                        "" => None,
                        count => Some(count.parse::<u32>().map_err(|_| {
                            timer_error(text, "the repetition count after R is not a number")
                        })?),
                    };
                    let (start, interval) = match parts.as_slice() {
                        [_, interval] => (None, IsoDuration::parse(interval)?),
                        [_, start, interval] => {
                            (Some(parse_date_time(start)?), IsoDuration::parse(interval)?)
                        }
                        _ => {
                            return Err(timer_error(
                                text,
                                "a cycle is R[n]/[start/]duration, e.g. R3/PT10S",
                            ))
                        }
                    };
                    if interval.is_zero() {
                        return Err(timer_error(text, "the cycle interval is zero"));
                    }
                    Ok(TimerSchedule::Cycle {
                        repetitions,
                        start,
                        interval,
                    })
                } else {
                    Ok(TimerSchedule::Cron {
                        cron: CronSchedule::parse(text)?,
                    })
                }
            }
        }
    }

    /// The first due time of a timer created at `now`, or `None` when the
    /// schedule never fires.
    pub fn first_due(&self, now: i64) -> Option<i64> {
        match self {
            TimerSchedule::At { at } => Some(*at),
            TimerSchedule::After { duration } => Some(duration.after(now)),
            TimerSchedule::Cycle {
                repetitions,
                start,
                interval,
            } => {
                if *repetitions == Some(0) {
                    return None;
                }
                Some(start.unwrap_or_else(|| interval.after(now)))
            }
            TimerSchedule::Cron { cron } => cron.next_after(now),
        }
    }

    /// How many times the timer fires in all; `None` when unbounded.
    pub fn repetitions(&self) -> Option<u32> {
        match self {
            TimerSchedule::At { .. } | TimerSchedule::After { .. } => Some(1),
            TimerSchedule::Cycle { repetitions, .. } => *repetitions,
            TimerSchedule::Cron { .. } => None,
        }
    }

    /// The due time after a firing that was due at `previous`.
    pub fn next_due(&self, previous: i64) -> Option<i64> {
        match self {
            TimerSchedule::At { .. } | TimerSchedule::After { .. } => None,
            TimerSchedule::Cycle { interval, .. } => Some(interval.after(previous)),
            TimerSchedule::Cron { cron } => cron.next_after(previous),
        }
    }
}

/// Parses an ISO 8601 date-time with an offset (`2025-03-01T10:00:00Z`,
/// `2025-03-01T10:00:00.250+01:00`); without an offset it is read as UTC; a
/// bare date is midnight UTC.
pub fn parse_date_time(text: &str) -> Result<i64, TimerError> {
    let bad = |reason: &str| timer_error(text, reason.to_owned());
    let number = |slice: Option<&str>, what: &str| -> Result<i64, TimerError> {
        slice
            .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|digits| digits.parse().ok())
            .ok_or_else(|| bad(&format!("bad {what}; expected e.g. 2025-03-01T10:00:00Z")))
    };
    let year = number(text.get(0..4), "year")?;
    if text.get(4..5) != Some("-") || text.get(7..8) != Some("-") {
        return Err(bad("expected YYYY-MM-DD"));
    }
    let month = number(text.get(5..7), "month")?;
    let day = number(text.get(8..10), "day")?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month as u32) as i64 {
        return Err(bad("the date does not exist"));
    }
    let days = days_from_civil(year, month as u32, day as u32);
    let rest = &text[10..];
    if rest.is_empty() {
        return Ok(days * 86_400_000);
    }
    let rest = rest
        .strip_prefix('T')
        .ok_or_else(|| bad("expected T between date and time"))?;
    let hour = number(rest.get(0..2), "hour")?;
    let minute = number(rest.get(3..5), "minute")?;
    let (second, mut tail) = if rest.get(5..6) == Some(":") {
        (
            number(rest.get(6..8), "second")?,
            rest.get(8..).unwrap_or(""),
        )
    } else {
        (0, rest.get(5..).unwrap_or(""))
    };
    let mut millis = 0i64;
    if let Some(fraction) = tail.strip_prefix('.') {
        let digits: String = fraction.chars().take_while(char::is_ascii_digit).collect();
        let padded = format!("{digits:0<3}");
        millis = number(padded.get(0..3), "fraction of a second")?;
        tail = &fraction[digits.len()..];
    }
    if hour > 23 || minute > 59 || second > 60 {
        return Err(bad("the time of day does not exist"));
    }
    let offset_minutes = match tail {
        "" | "Z" => 0,
        _ if tail.starts_with('[') => 0,
        _ => {
            let sign = match tail.get(0..1) {
                Some("+") => 1,
                Some("-") => -1,
                _ => return Err(bad("expected Z or an offset like +01:00")),
            };
            let hours = number(tail.get(1..3), "offset hours")?;
            let minutes = match tail.get(3..4) {
                Some(":") => number(tail.get(4..6), "offset minutes")?,
                Some(_) => number(tail.get(3..5), "offset minutes")?,
                None => 0,
            };
            sign * (hours * 60 + minutes)
        }
    };
    Ok(
        days * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis
            - offset_minutes * 60_000,
    )
}

/// Formats milliseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.sssZ`.
pub fn format_date_time(millis: i64) -> String {
    let days = millis.div_euclid(86_400_000);
    let within = millis.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        within / 3_600_000,
        within / 60_000 % 60,
        within / 1000 % 60,
        within % 1000
    )
}

/// A parsed cron expression: a bit set of the allowed values per field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CronSchedule {
    seconds: u64,
    minutes: u64,
    hours: u64,
    days_of_month: u64,
    months: u64,
    days_of_week: u64,
    day_of_month_any: bool,
    day_of_week_any: bool,
}

const MONTH_NAMES: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

impl CronSchedule {
    /// Parses `min hour dom month dow` or `sec min hour dom month dow`, with
    /// `*`, `?`, lists, ranges, steps and English month and day names.
    pub fn parse(text: &str) -> Result<Self, TimerError> {
        let fields: Vec<&str> = text.split_whitespace().collect();
        let fields: Vec<&str> = match fields.len() {
            5 => std::iter::once("0").chain(fields).collect(),
            6 => fields,
            count => {
                return Err(timer_error(
                    text,
                    format!("a cron expression has 5 or 6 fields, found {count}"),
                ))
            }
        };
        let field = |index: usize, min: u32, max: u32, names: &[&str]| {
            parse_cron_field(fields[index], min, max, names).map_err(|reason| {
                timer_error(
                    text,
                    format!("field {} \"{}\": {reason}", index + 1, fields[index]),
                )
            })
        };
        let mut days_of_week = field(5, 0, 7, &DAY_NAMES)?;
        if days_of_week & (1 << 7) != 0 {
            days_of_week |= 1;
        }
        Ok(CronSchedule {
            seconds: field(0, 0, 59, &[])?,
            minutes: field(1, 0, 59, &[])?,
            hours: field(2, 0, 23, &[])?,
            days_of_month: field(3, 1, 31, &[])?,
            months: field(4, 1, 12, &MONTH_NAMES)?,
            days_of_week,
            day_of_month_any: matches!(fields[3], "*" | "?"),
            day_of_week_any: matches!(fields[5], "*" | "?"),
        })
    }

    fn day_matches(&self, day: u32, weekday: u32) -> bool {
        let by_month = self.days_of_month & (1 << day) != 0;
        let by_week = self.days_of_week & (1 << weekday) != 0;
        match (self.day_of_month_any, self.day_of_week_any) {
            (true, true) => true,
            (true, false) => by_week,
            (false, true) => by_month,
            (false, false) => by_month || by_week,
        }
    }

    /// The first matching instant strictly after `after` (whole seconds), or
    /// `None` if none comes within ten years.
    pub fn next_after(&self, after: i64) -> Option<i64> {
        let mut seconds = after.div_euclid(1000) + 1;
        let limit = seconds + 10 * 366 * 86_400;
        while seconds < limit {
            let days = seconds.div_euclid(86_400);
            let within = seconds.rem_euclid(86_400);
            let (year, month, day) = civil_from_days(days);
            if self.months & (1 << month) == 0 {
                let (next_year, next_month) = if month == 12 {
                    (year + 1, 1)
                } else {
                    (year, month + 1)
                };
                seconds = days_from_civil(next_year, next_month, 1) * 86_400;
                continue;
            }
            let weekday = (days + 4).rem_euclid(7) as u32;
            if !self.day_matches(day, weekday) {
                seconds = (days + 1) * 86_400;
                continue;
            }
            let hour = within / 3600;
            if self.hours & (1 << hour) == 0 {
                seconds = days * 86_400 + (hour + 1) * 3600;
                continue;
            }
            let minute = within / 60 % 60;
            if self.minutes & (1 << minute) == 0 {
                seconds = days * 86_400 + hour * 3600 + (minute + 1) * 60;
                continue;
            }
            if self.seconds & (1 << (within % 60)) == 0 {
                seconds += 1;
                continue;
            }
            return Some(seconds * 1000);
        }
        None
    }
}

fn parse_cron_field(field: &str, min: u32, max: u32, names: &[&str]) -> Result<u64, String> {
    let value = |text: &str| -> Result<u32, String> {
        let upper = text.to_ascii_uppercase();
        if let Some(position) = names.iter().position(|name| *name == upper) {
            // Month names count from 1, day names from 0 (Sunday).
            return Ok(position as u32 + min);
        }
        let number: u32 = text
            .parse()
            .map_err(|_| format!("\"{text}\" is not a number"))?;
        if number < min || number > max {
            return Err(format!("{number} is outside {min}-{max}"));
        }
        Ok(number)
    };
    let mut bits = 0u64;
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => (
                range,
                step.parse::<u32>()
                    .ok()
                    .filter(|step| *step > 0)
                    .ok_or_else(|| format!("bad step \"{step}\""))?,
            ),
            None => (part, 1),
        };
        let (low, high) = if range == "*" || range == "?" {
            (min, max)
        } else if let Some((low, high)) = range.split_once('-') {
            (value(low)?, value(high)?)
        } else {
            let single = value(range)?;
            (single, if part.contains('/') { max } else { single })
        };
        if low > high {
            return Err(format!("range {low}-{high} is backwards"));
        }
        let mut current = low;
        while current <= high {
            bits |= 1 << current;
            current += step;
        }
    }
    Ok(bits)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = month as i64;
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + day as i64 - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + if month <= 2 { 1 } else { 0 };
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowdesk_model::bpmn::TimerKind;

    #[test]
    fn durations() {
        assert_eq!(IsoDuration::parse("PT5M").map(|d| d.millis), Ok(300_000));
        assert_eq!(
            IsoDuration::parse("P1DT1H").map(|d| d.millis),
            Ok(90_000_000)
        );
        assert_eq!(IsoDuration::parse("PT0.5S").map(|d| d.millis), Ok(500));
        assert_eq!(IsoDuration::parse("P1Y2M").map(|d| d.months), Ok(14));
        assert!(IsoDuration::parse("5M").is_err());
        assert!(IsoDuration::parse("PT5").is_err());
        let jan31 = parse_date_time("2025-01-31T00:00:00Z").unwrap();
        let month = IsoDuration::parse("P1M").unwrap();
        assert_eq!(
            format_date_time(month.after(jan31)),
            "2025-02-28T00:00:00.000Z"
        );
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date_time("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_date_time("1970-01-01T01:00:00+01:00"), Ok(0));
        assert_eq!(
            format_date_time(parse_date_time("2024-02-29T13:45:30.250Z").unwrap()),
            "2024-02-29T13:45:30.250Z"
        );
        assert!(parse_date_time("2023-02-29T00:00:00Z").is_err());
        assert!(parse_date_time("tomorrow").is_err());
    }

    #[test]
    fn cycles_and_cron() {
        let cycle = TimerSchedule::parse(TimerKind::Cycle, "R3/PT10S").unwrap();
        assert_eq!(cycle.repetitions(), Some(3));
        assert_eq!(cycle.first_due(0), Some(10_000));
        assert_eq!(cycle.next_due(10_000), Some(20_000));
        let cron = TimerSchedule::parse(TimerKind::Cycle, "0 0 9 * * MON-FRI").unwrap();
        // 1970-01-01 was a Thursday.
        assert_eq!(
            cron.first_due(0).map(format_date_time).as_deref(),
            Some("1970-01-01T09:00:00.000Z")
        );
        let after = parse_date_time("1970-01-02T10:00:00Z").unwrap();
        assert_eq!(
            cron.next_due(after).map(format_date_time).as_deref(),
            Some("1970-01-05T09:00:00.000Z")
        );
        let five = TimerSchedule::parse(TimerKind::Cycle, "*/15 * * * *").unwrap();
        assert_eq!(five.first_due(1000), Some(15 * 60_000));
        assert!(TimerSchedule::parse(TimerKind::Cycle, "* * *").is_err());
        assert!(TimerSchedule::parse(TimerKind::Cycle, "61 * * * *").is_err());
    }
}
