//! Percent-encoding for query-string values (used by links and redirects).

/// Encodes `value` for a query string, keeping `/` readable.
pub fn encode_query_value(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `key=value&…` for the non-empty pairs.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode_query_value(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-decodes `value` once (`+` stays `+`); invalid escapes and
/// bytes that are not UTF-8 are kept as they are.
pub fn percent_decode(value: &str) -> String {
    String::from_utf8(percent_decode_bytes(value)).unwrap_or_else(|_| value.to_string())
}

/// Percent-decodes `value` once into bytes; invalid escapes are kept.
fn percent_decode_bytes(value: &str) -> Vec<u8> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Whether a browser sent to `target` (a path with its query and fragment,
/// as a `Location` header or `location.href` carries it) stays on this
/// site: it starts with `/`, its path has no empty segment (`//`: at the
/// start it names another host, and dot segments can bring it there), and
/// it holds no backslash (browsers read `\` as `/`), control character or
/// whitespace (browsers drop or rewrite them). The path is checked again
/// after each of two percent-decodings, so a later decoding cannot make it
/// `//host` either.
pub fn is_local_path(target: &str) -> bool {
    let plain = |text: &str| !text.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace());
    let local = |path: &str| path.starts_with('/') && !path.contains("//") && plain(path);
    let mut path = target.split(['?', '#']).next().unwrap_or_default().to_string();
    if !plain(target) || !local(&path) {
        return false;
    }
    for _ in 0..2 {
        let decoded = String::from_utf8_lossy(&percent_decode_bytes(&path)).into_owned();
        if decoded == path {
            break;
        }
        if !local(&decoded) {
            return false;
        }
        path = decoded;
    }
    true
}

/// `target` when [`is_local_path`] allows it, else the home page `/`.
pub fn local_path_or_home(target: &str) -> &str {
    if is_local_path(target) { target } else { "/" }
}

/// The page that asks a signed-in user to confirm their password before a
/// sensitive action, when the action came from a plain form (no JavaScript).
pub const REAUTH_PATH: &str = "/reauth";

/// The confirm page, sending the browser back to `back_to` afterwards (the
/// home page when `back_to` would leave the site, or is the page itself).
pub fn reauth_page(back_to: &str) -> String {
    let back_to = local_path_or_home(back_to);
    let back_to = if back_to.split(['?', '#']).next() == Some(REAUTH_PATH) { "/" } else { back_to };
    format!("{REAUTH_PATH}?next={}", encode_query_value(back_to))
}

/// Targets a browser must never be sent to after signing in: each leaves the
/// site as written, once percent-decoded (even twice), or once its dot
/// segments are resolved. The one corpus the redirect rule is tested
/// against at every layer: [`is_local_path`] here, `auth::login`'s
/// `safe_next_path`, and both sign-in doors in the integration tests.
pub const HOSTILE_TARGETS: &[&str] = &[
    // Other sites, schemes and hosts, as written.
    "",
    "evil.example",
    "https://evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "http://gatehouse.example@evil.example/",
    "//evil.example",
    "//evil.example/",
    "///evil.example",
    " /evil",
    // Backslashes, which browsers read as slashes.
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\\\evil.example",
    // Control characters and whitespace, which browsers drop.
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/ /evil.example",
    "/\u{0}/evil.example",
    "/\u{2028}/evil.example",
    // Encoded slashes, backslashes and control characters, once or twice.
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%0d%0a/evil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "/%5C/evil.example",
    "/%5c/evil.example",
    "/%5c%5cevil.example",
    "/x/%5c/evil.example",
    "/%ff%2f%2fevil.example",
    "/%252F/evil.example",
    "/%252f%252fevil.example",
    "/%255c/evil.example",
    "/%255C/evil.example",
    // Dot segments that resolve to `//host`.
    "/.//evil.example",
    "/./\\evil.example",
    "/x/..//evil.example",
    "/x/../..//evil.example",
    "/%2e//evil.example",
    "/%2E//evil.example",
    "/%2e%2e//evil.example",
    "/x/%2e%2e//evil.example",
    "/.%2e//evil.example",
    "/x/..%2f/evil.example",
    "/./%2F/evil.example",
    "/.%5c/evil.example",
    "/x/..%5c%5cevil.example",
    "/.\t//evil.example",
    "/.%09//evil.example",
    "/%252e//evil.example",
];

#[cfg(test)]
mod tests {
    use super::{is_local_path, local_path_or_home, HOSTILE_TARGETS};

    #[test]
    fn local_paths_are_kept() {
        for path in ["/", "/account", "/projects/p1?tab=users#top", "/admin/users?search=a%20b", "/x?next=//evil.example"] {
            assert!(is_local_path(path), "{path:?}");
            assert_eq!(local_path_or_home(path), path);
        }
    }

    #[test]
    fn the_confirm_page_returns_only_to_this_site() {
        assert_eq!(super::reauth_page("/admin/users/lena?tab=1"), "/reauth?next=/admin/users/lena%3Ftab%3D1");
        assert_eq!(super::reauth_page("/reauth?next=/x"), "/reauth?next=/");
        for path in HOSTILE_TARGETS.iter().copied() {
            assert_eq!(super::reauth_page(path), "/reauth?next=/", "{path:?}");
        }
    }

    #[test]
    fn paths_that_leave_the_site_go_home() {
        for path in HOSTILE_TARGETS.iter().copied() {
            assert!(!is_local_path(path), "{path:?}");
            assert_eq!(local_path_or_home(path), "/");
        }
    }
}
