//! Times for people: seconds since the epoch as UTC dates, durations in words, and `--at`
//! parsed from seconds or RFC 3339. The clock is read here, never in the core.

use super::Failure;

/// The wall clock, in seconds since the epoch with their fraction.
pub fn now() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

/// `--at`: seconds since the epoch (`1700000000`, `1700000000.5`) or RFC 3339
/// (`2023-11-14T22:13:20Z`, with `+01:00` offsets and fractions).
pub fn parse_at(text: &str) -> Result<f64, Failure> {
    let t = text.trim();
    if let Ok(secs) = t.parse::<f64>() {
        if secs.is_finite() {
            return Ok(secs);
        }
    }
    rfc3339(t).ok_or_else(|| Failure::input(format!("--at {t:?}: give seconds since the epoch or an RFC 3339 time such as 2024-05-01T12:00:00Z")))
}

fn rfc3339(t: &str) -> Option<f64> {
    let num = |s: &str| -> Option<i64> { s.bytes().all(|b| b.is_ascii_digit()).then(|| s.parse().ok()).flatten() };
    let (date, rest) = t.split_once(['T', 't', ' '])?;
    let mut d = date.split('-');
    let (y, m, day) = (num(d.next()?)?, num(d.next()?)?, num(d.next()?)?);
    let zone_at = rest.find(['Z', 'z', '+', '-'])?;
    let (clock, zone) = rest.split_at(zone_at);
    let mut c = clock.split(':');
    let (h, min, sec) = (num(c.next()?)?, num(c.next()?)?, c.next()?);
    let (whole, frac) = sec.split_once('.').unwrap_or((sec, ""));
    let s = num(whole)?;
    let frac: f64 = if frac.is_empty() { 0.0 } else { format!("0.{frac}").parse().ok()? };
    if !(1..=12).contains(&m) || !(1..=31).contains(&day) || h > 23 || min > 59 || s > 60 {
        return None;
    }
    let offset = match zone {
        "Z" | "z" => 0,
        z => {
            let sign = if z.starts_with('-') { -1 } else { 1 };
            let (oh, om) = z.get(1..)?.split_once(':')?;
            sign * (num(oh)? * 3600 + num(om)? * 60)
        }
    };
    Some((days_from_civil(y, m, day) * 86400 + h * 3600 + min * 60 + s - offset) as f64 + frac)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Years 0 to 9999 are written as dates; other numbers are no usable time.
const MAX_DATE: f64 = 253_402_300_799.0;

/// `2023-11-14 22:13:20 UTC`, or `None` outside years 0 to 9999.
pub fn utc(secs: f64) -> Option<String> {
    if !secs.is_finite() || !(-62_167_219_200.0..=MAX_DATE).contains(&secs) {
        return None;
    }
    // The gate's RFC 3339 printing (Vault's times), with a space and the zone in words.
    let stamp = crate::gate::vault::rfc3339(secs.floor() as i64);
    Some(format!("{} UTC", stamp.replacen('T', " ", 1).trim_end_matches('Z')))
}

/// A duration in its two largest units: `3 days 4 h`, `1 h 59 min`, `42 s`.
pub fn duration(secs: f64) -> String {
    let s = secs.abs().round() as u64;
    let units = [(86400, "day"), (3600, "h"), (60, "min"), (1, "s")];
    let mut parts = Vec::new();
    let mut left = s;
    for (size, name) in units {
        if left >= size && parts.len() < 2 {
            let n = left / size;
            left %= size;
            parts.push(if name == "day" { format!("{n} day{}", if n == 1 { "" } else { "s" }) } else { format!("{n} {name}") });
        } else if !parts.is_empty() {
            break;
        }
    }
    if parts.is_empty() {
        "0 s".into()
    } else {
        parts.join(" ")
    }
}

/// `in 1 h 59 min` or `3 days ago`, from `now`.
pub fn relative(t: f64, now: f64) -> String {
    if t >= now {
        format!("in {}", duration(t - now))
    } else {
        format!("{} ago", duration(now - t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for (text, secs) in [("1970-01-01T00:00:00Z", 0.0), ("2023-11-14T22:13:20Z", 1_700_000_000.0), ("2000-02-29T12:00:00+02:00", 951_818_400.0), ("2024-05-01T12:00:00.5Z", 1_714_564_800.5)] {
            assert_eq!(parse_at(text).unwrap(), secs, "{text}");
        }
        assert_eq!(utc(1_700_000_000.0).unwrap(), "2023-11-14 22:13:20 UTC");
        assert_eq!(utc(951_811_200.0).unwrap(), "2000-02-29 08:00:00 UTC");
        assert_eq!(utc(1e300), None);
        assert!(parse_at("yesterday").is_err());
        assert_eq!(duration(7140.0), "1 h 59 min");
        assert_eq!(duration(3.0 * 86400.0 + 5.0), "3 days");
        assert_eq!(relative(10.0, 52.0), "42 s ago");
    }
}
