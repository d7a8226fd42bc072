//! Time-based one-time passwords (RFC 6238) as every common authenticator
//! app makes them: HMAC-SHA-1, 6 digits, 30-second steps, the secret shared
//! as RFC 4648 base32 without padding. Pure functions; which step a user
//! last used (the replay guard) is kept by `store::two_factor`.

use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;

/// Seconds per step.
pub const STEP_SECONDS: i64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;
/// Bytes of a new secret (160 bits, the length RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;
/// Steps either side of now whose codes are accepted (clock drift, typing).
pub const WINDOW: i64 = 1;

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// A fresh random secret.
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; SECRET_BYTES];
    rand::thread_rng().fill_bytes(&mut secret);
    secret
}

/// RFC 4648 base32, upper case, no padding.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Reads base32 as people type it: any case, spaces and padding ignored.
/// `None` for any other character.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=' && *c != '-') {
        let value = BASE32.iter().position(|&b| b as char == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

/// The step a Unix time (seconds) falls in.
pub fn step_at(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// The HOTP value (RFC 4226) of `secret` at `counter`, before reduction to digits.
fn hotp_value(secret: &[u8], counter: u64) -> u32 {
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    u32::from_be_bytes([digest[offset] & 0x7f, digest[offset + 1], digest[offset + 2], digest[offset + 3]])
}

/// The `digits`-digit code of `secret` for `step`, zero-padded.
pub fn code_with_digits(secret: &[u8], step: i64, digits: u32) -> String {
    let value = hotp_value(secret, step.max(0) as u64) % 10u32.pow(digits);
    format!("{value:0width$}", width = digits as usize)
}

/// The 6-digit code of `secret` for `step`.
pub fn code(secret: &[u8], step: i64) -> String {
    code_with_digits(secret, step, DIGITS)
}

/// A typed code as compared: spaces removed; `None` unless it is then exactly 6 digits.
pub fn normalise(typed: &str) -> Option<String> {
    let code: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    (code.len() == DIGITS as usize && code.bytes().all(|b| b.is_ascii_digit())).then_some(code)
}

/// The step within [`WINDOW`] of `now_step` whose code is `typed` (the
/// latest, should two match), compared in constant time per step. The
/// caller still refuses a step at or before the last one used.
pub fn matching_step(secret: &[u8], typed: &str, now_step: i64) -> Option<i64> {
    use subtle::ConstantTimeEq;
    let typed = normalise(typed)?;
    let mut found = None;
    for step in (now_step - WINDOW)..=(now_step + WINDOW) {
        if bool::from(code(secret, step).as_bytes().ct_eq(typed.as_bytes())) {
            found = Some(step);
        }
    }
    found
}

/// The `otpauth://` URI an authenticator app reads from the QR code.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let label = format!("{issuer}:{account}");
    format!(
        "otpauth://totp/{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        percent_encode(&label),
        base32_encode(secret),
        percent_encode(issuer)
    )
}

fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b':' | b'@' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1: the seed is "12345678901234567890".
    const RFC_SECRET: &[u8] = b"12345678901234567890";
    const RFC_VECTORS: &[(i64, &str)] = &[
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ];

    #[test]
    fn rfc_6238_sha1_vectors() {
        for &(time, expected) in RFC_VECTORS {
            assert_eq!(code_with_digits(RFC_SECRET, step_at(time), 8), expected, "T = {time}");
            // Six digits are the same value reduced modulo 10^6.
            assert_eq!(code(RFC_SECRET, step_at(time)), expected[2..], "T = {time}");
        }
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_encode(b"f"), "MY");
        assert_eq!(base32_encode(RFC_SECRET), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(base32_decode("mzxw 6ytb oi==").unwrap(), b"foobar");
        assert!(base32_decode("MZ1").is_none());
        let secret = new_secret();
        assert_eq!(base32_decode(&base32_encode(&secret)).unwrap(), secret);
    }

    #[test]
    fn codes_within_one_step_match_and_two_do_not() {
        let secret = new_secret();
        let now = 55_555_555;
        for delta in [-1, 0, 1] {
            assert_eq!(matching_step(&secret, &code(&secret, now + delta), now), Some(now + delta), "{delta}");
        }
        for delta in [-2, 2] {
            let typed = code(&secret, now + delta);
            // A code two steps away matches only if it collides with a nearer one.
            let collides = (-1..=1).any(|d| code(&secret, now + d) == typed);
            assert_eq!(matching_step(&secret, &typed, now).is_some(), collides, "{delta}");
        }
        assert_eq!(matching_step(&secret, "12345", now), None);
        assert_eq!(matching_step(&secret, "abcdef", now), None);
        let spaced = code(&secret, now);
        assert_eq!(matching_step(&secret, &format!(" {} {} ", &spaced[..3], &spaced[3..]), now), Some(now));
    }

    #[test]
    fn the_uri_names_issuer_account_and_secret() {
        let uri = otpauth_uri("Gatehouse", "ada lovelace", b"foobar");
        assert_eq!(
            uri,
            "otpauth://totp/Gatehouse:ada%20lovelace?secret=MZXW6YTBOI&issuer=Gatehouse&algorithm=SHA1&digits=6&period=30"
        );
    }
}
