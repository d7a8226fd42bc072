//! Time as stored in the database: integer Unix milliseconds.

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub const MINUTE_MS: i64 = 60_000;
pub const HOUR_MS: i64 = 60 * MINUTE_MS;
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// A UTC date or time as people type it — `2026-12-01`, `2026-12-01T10:00`,
/// `2026-12-01T10:00:30Z` — as Unix milliseconds, and whether it was a bare date.
pub fn parse_utc(text: &str) -> Option<(i64, bool)> {
    let (date, clock) = match text.split_once(['T', ' ']) {
        Some((d, c)) => (d, Some(c.trim_end_matches('Z'))),
        None => (text, None),
    };
    let mut parts = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, m, d) = (parts.next()??, parts.next()??, parts.next()??);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || !(1970..=9999).contains(&y) {
        return None;
    }
    let days = days_from_civil(y, m, d);
    let seconds = match clock {
        None => 0,
        Some(clock) => {
            let mut parts = clock.splitn(3, ':').map(|p| p.parse::<i64>().ok());
            let (h, min) = (parts.next()??, parts.next()??);
            let s = parts.next().unwrap_or(Some(0))?;
            if !(0..24).contains(&h) || !(0..60).contains(&min) || !(0..60).contains(&s) {
                return None;
            }
            h * 3600 + min * 60 + s
        }
    };
    Some(((days * 86_400 + seconds) * 1000, clock.is_none()))
}

/// Howard Hinnant's civil-to-days algorithm (days since 1970-01-01).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::parse_utc;

    #[test]
    fn typed_times_parse() {
        assert_eq!(parse_utc("2024-01-15"), Some((1_705_276_800_000, true)));
        assert_eq!(parse_utc("2024-01-15T10:30:00Z"), Some((1_705_314_600_000, false)));
        assert_eq!(parse_utc("2024-01-15T10:30"), Some((1_705_314_600_000, false)));
        assert_eq!(parse_utc("2000-03-01"), Some((951_868_800_000, true)));
        for bad in ["yesterday", "2024-13-01", "2024-01-15T25:00", "2024-01", ""] {
            assert_eq!(parse_utc(bad), None, "{bad}");
        }
    }
}
