//! A reader for Java `.properties` text (what `java.util.Properties.load`
//! accepts): `#`/`!` comment lines, `=`, `:` or whitespace between key and
//! value, backslash line continuations (the next line's leading whitespace
//! dropped), and the escapes `\t \n \r \f \uXXXX` (any other escaped
//! character stands for itself). Unlike `Properties`, entries come back in
//! file order with their line numbers, repeated keys included, so a caller
//! can report where something is wrong. The one malformed input Java knows,
//! a bad `\uXXXX`, is an error naming its line.

/// One `key = value` entry; `line` is where it starts (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    pub value: String,
    pub line: usize,
}

/// What is wrong and on which line (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

/// Every entry of `text`, in order.
pub fn parse(text: &str) -> Result<Vec<Entry>, ParseError> {
    let lines: Vec<&str> = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    let mut entries = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let start = index;
        let first = lines[index].trim_start_matches([' ', '\t', '\u{c}']);
        index += 1;
        if first.is_empty() || first.starts_with('#') || first.starts_with('!') {
            continue;
        }
        // Join continuation lines: a line ending in an odd number of backslashes.
        let mut logical = String::from(first);
        while ends_with_odd_backslashes(&logical) {
            logical.pop();
            match lines.get(index) {
                Some(next) => {
                    logical.push_str(next.trim_start_matches([' ', '\t', '\u{c}']));
                    index += 1;
                }
                None => break,
            }
        }
        let (raw_key, raw_value) = split_key_value(&logical);
        let line = start + 1;
        entries.push(Entry { key: unescape(raw_key, line)?, value: unescape(raw_value, line)?, line });
    }
    Ok(entries)
}

fn ends_with_odd_backslashes(text: &str) -> bool {
    text.chars().rev().take_while(|&c| c == '\\').count() % 2 == 1
}

/// The raw (still escaped) key and value of a logical line.
fn split_key_value(line: &str) -> (&str, &str) {
    let mut escaped = false;
    let mut key_end = line.len();
    for (i, c) in line.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if matches!(c, '=' | ':' | ' ' | '\t' | '\u{c}') {
            key_end = i;
            break;
        }
    }
    let key = &line[..key_end];
    let mut rest = line[key_end..].trim_start_matches([' ', '\t', '\u{c}']);
    if let Some(after) = rest.strip_prefix(['=', ':']) {
        rest = after.trim_start_matches([' ', '\t', '\u{c}']);
    }
    (key, rest)
}

fn unescape(raw: &str, line: usize) -> Result<String, ParseError> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let code = (hex.len() == 4).then(|| u32::from_str_radix(&hex, 16).ok()).flatten();
                match code.and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => return Err(ParseError { line, message: format!("malformed \\uXXXX escape: \\u{hex}") }),
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String, usize)> {
        parse(text).unwrap().into_iter().map(|e| (e.key, e.value, e.line)).collect()
    }

    #[test]
    fn separators_comments_and_blank_lines() {
        let text = "# comment\n! also a comment\n\n  a=1\nb : 2\nc 3\nd\ne=\n\tf = spaced value  \n";
        assert_eq!(
            pairs(text),
            vec![
                ("a".into(), "1".into(), 4),
                ("b".into(), "2".into(), 5),
                ("c".into(), "3".into(), 6),
                ("d".into(), "".into(), 7),
                ("e".into(), "".into(), 8),
                ("f".into(), "spaced value  ".into(), 9),
            ]
        );
    }

    #[test]
    fn continuations_join_lines_and_drop_leading_whitespace() {
        let text = "long = one \\\n       two \\\n  three\nnext=x\r\neven=ends\\\\\nafter=y";
        assert_eq!(
            pairs(text),
            vec![
                ("long".into(), "one two three".into(), 1),
                ("next".into(), "x".into(), 4),
                ("even".into(), "ends\\".into(), 5),
                ("after".into(), "y".into(), 6),
            ]
        );
        // A comment line does not continue, and a trailing backslash at the end is dropped.
        assert_eq!(pairs("# not continued \\\nk=v\\"), vec![("k".into(), "v".into(), 2)]);
    }

    #[test]
    fn escapes_in_keys_and_values() {
        let text = "a\\=b\\ c = caf\\u00e9\\t\\n\\:\\#x\n\\u0041key=\\z";
        assert_eq!(pairs(text), vec![("a=b c".into(), "café\t\n:#x".into(), 1), ("Akey".into(), "z".into(), 2)]);
    }

    #[test]
    fn a_bad_unicode_escape_names_its_line() {
        let err = parse("ok=1\n\nbad=\\u12G4\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("\\uXXXX"), "{}", err.message);
        assert_eq!(parse("x=\\u12").unwrap_err().line, 1);
    }
}
