//! The documentation's links: every relative link in `README.md` and in
//! `docs/` (inline `[text](path#anchor)`, images and reference definitions)
//! must name a file or folder inside the repository, and an anchor into a
//! Markdown file must name one of its headings (GitHub's slugs). Web and
//! mail links are not followed; links inside code are not links.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("server/ has a parent").to_path_buf()
}

/// `README.md` and every Markdown file under `docs/`, relative to the root.
fn documentation_files(root: &Path) -> Vec<PathBuf> {
    let mut files = vec![PathBuf::from("README.md")];
    let mut folders = vec![PathBuf::from("docs")];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(root.join(&folder)) else { continue };
        for entry in entries.flatten() {
            let relative = folder.join(entry.file_name());
            if entry.path().is_dir() {
                folders.push(relative);
            } else if relative.extension().is_some_and(|e| e == "md") {
                files.push(relative);
            }
        }
    }
    files.sort();
    files
}

/// The text with fenced code blocks and inline code spans blanked out
/// (newlines kept, so byte offsets still give the right line).
fn without_code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_fence = false;
    for line in text.split_inclusive('\n') {
        let fence = line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~");
        if fence || in_fence {
            out.extend(line.chars().map(|c| if c == '\n' { '\n' } else { ' ' }));
            if fence {
                in_fence = !in_fence;
            }
        } else {
            out.push_str(line);
        }
    }
    // Inline code: a run of N backticks up to the next run of exactly N.
    let bytes: Vec<char> = out.chars().collect();
    let mut result = String::with_capacity(out.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != '`' {
            result.push(bytes[i]);
            i += 1;
            continue;
        }
        let run = bytes[i..].iter().take_while(|c| **c == '`').count();
        let mut j = i + run;
        let mut close = None;
        while j < bytes.len() {
            if bytes[j] == '`' {
                let other = bytes[j..].iter().take_while(|c| **c == '`').count();
                if other == run {
                    close = Some(j);
                    break;
                }
                j += other;
            } else {
                j += 1;
            }
        }
        match close {
            Some(end) => {
                for c in &bytes[i..end + run] {
                    result.push(if *c == '\n' { '\n' } else { ' ' });
                }
                i = end + run;
            }
            None => {
                result.extend(&bytes[i..i + run]);
                i += run;
            }
        }
    }
    result
}

/// Every link target with its line: `[text](target)`, `![alt](target)` and
/// `[label]: target`.
fn link_targets(text: &str) -> Vec<(usize, String)> {
    let text = without_code(text);
    let line_of = |offset: usize| text[..offset].matches('\n').count() + 1;
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("](") {
        let start = from + at + 2;
        let mut depth = 1;
        let mut end = start;
        for (k, c) in text[start..].char_indices() {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                '\n' => break,
                _ => {}
            }
            if depth == 0 {
                end = start + k;
                break;
            }
        }
        if end > start {
            let raw = text[start..end].trim();
            let raw = raw.strip_prefix('<').and_then(|r| r.split_once('>')).map_or(raw, |(r, _)| r);
            let target = raw.split_whitespace().next().unwrap_or("").to_string();
            found.push((line_of(start), target));
        }
        from = start;
    }
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix('[') {
            if let Some((label, after)) = rest.split_once("]:") {
                if !label.is_empty() && !label.starts_with('^') {
                    if let Some(target) = after.split_whitespace().next() {
                        found.push((line_of(offset), target.trim_matches(|c| c == '<' || c == '>').to_string()));
                    }
                }
            }
        }
        offset += line.len();
    }
    found
}

/// GitHub's anchor for a heading: lower case, punctuation dropped (letters,
/// digits, `_`, `-` and spaces kept), spaces turned into `-`.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '_' || *c == '-' || *c == ' ')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The anchors a Markdown file's headings give, a repeated one as
/// `name-1`, `name-2`, … as GitHub numbers them.
fn anchors(text: &str) -> HashSet<String> {
    let mut seen = HashSet::new();
    let mut in_fence = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        let hashes = trimmed.chars().take_while(|c| *c == '#').count();
        if !(1..=6).contains(&hashes) || !trimmed[hashes..].starts_with(' ') {
            continue;
        }
        let base = slug(trimmed[hashes..].trim().trim_end_matches('#'));
        let mut name = base.clone();
        let mut n = 0;
        while seen.contains(&name) {
            n += 1;
            name = format!("{base}-{n}");
        }
        seen.insert(name);
    }
    seen
}

/// `path` with `.` and `..` resolved without touching the file system;
/// `None` when `..` climbs above the start.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::Normal(p) => out.push(p),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// What is wrong with each relative link of `file` (relative to `root`),
/// whose text is `text`: one line per broken link.
fn broken_links(root: &Path, file: &Path, text: &str) -> Vec<String> {
    let mut broken = Vec::new();
    let folder = file.parent().unwrap_or(Path::new(""));
    for (line, target) in link_targets(text) {
        let lower = target.to_ascii_lowercase();
        if ["http://", "https://", "mailto:"].iter().any(|p| lower.starts_with(p)) {
            continue;
        }
        let where_ = format!("{}:{line}: ({target})", file.display());
        if target.is_empty() {
            broken.push(format!("{where_}: empty link"));
            continue;
        }
        if target.contains("://") || target.starts_with('/') {
            broken.push(format!("{where_}: not a relative path inside the repository"));
            continue;
        }
        let (path, anchor) = match target.split_once('#') {
            Some((p, a)) => (p, Some(a)),
            None => (target.as_str(), None),
        };
        let anchor = anchor.filter(|a| !a.is_empty());
        let (resolved, target_text) = if path.is_empty() {
            (file.to_path_buf(), text.to_string())
        } else {
            let Some(resolved) = normalize(&folder.join(path)) else {
                broken.push(format!("{where_}: points outside the repository"));
                continue;
            };
            let on_disk = root.join(&resolved);
            if !on_disk.exists() {
                broken.push(format!("{where_}: no such file {}", resolved.display()));
                continue;
            }
            let is_markdown = resolved.extension().is_some_and(|e| e == "md");
            if anchor.is_none() || !is_markdown {
                continue;
            }
            (resolved, std::fs::read_to_string(&on_disk).unwrap_or_default())
        };
        let Some(anchor) = anchor else { continue };
        if !anchors(&target_text).contains(anchor) {
            broken.push(format!("{where_}: {} has no heading with the anchor #{anchor}", resolved.display()));
        }
    }
    broken
}

#[test]
fn every_relative_link_in_the_readme_and_docs_points_at_something() {
    let root = repository_root();
    let files = documentation_files(&root);
    assert!(files.len() > 1, "no docs/ pages found under {}", root.display());
    let mut broken = Vec::new();
    let mut links = 0;
    for file in &files {
        let text = std::fs::read_to_string(root.join(file)).expect("readable documentation file");
        links += link_targets(&text).len();
        broken.extend(broken_links(&root, file, &text));
    }
    assert!(links > 20, "only {links} links found: is the link parser broken?");
    assert!(broken.is_empty(), "{} broken link(s) in README.md and docs/:\n{}", broken.len(), broken.join("\n"));
}

#[test]
fn the_link_checker_names_missing_files_anchors_and_paths_outside_the_repository() {
    let root = repository_root();
    let page = "# A page\n\n## Same heading\n\n## Same heading\n\
        \n[fine](install-and-operate.md#configuration) [here](#same-heading-1) [folder](../scripts)\
        \n![image](images/missing.png) and [file](no-such-page.md)\
        \n[anchor](security.md#no-such-heading) [up](../../outside.md)\
        \n[web](https://example.org/x) [mail](mailto:a@example.org) `[code](nope.md)`\
        \n```\n[fenced](nope.md)\n```\n[ref]: ../shared/DESIGN.md\n";
    let reported = broken_links(&root, Path::new("docs/example.md"), page);
    let expected = [
        "docs/example.md:8: (images/missing.png): no such file docs/images/missing.png",
        "docs/example.md:8: (no-such-page.md): no such file docs/no-such-page.md",
        "docs/example.md:9: (security.md#no-such-heading): docs/security.md has no heading with the anchor #no-such-heading",
        "docs/example.md:9: (../../outside.md): points outside the repository",
        "docs/example.md:14: (../shared/DESIGN.md): no such file shared/DESIGN.md",
    ];
    assert_eq!(reported, expected);
    assert_eq!(slug("Security settings (Admin → Security)"), "security-settings-admin--security");
    assert_eq!(slug("The audit log (`audit_log`)"), "the-audit-log-audit_log");
}
