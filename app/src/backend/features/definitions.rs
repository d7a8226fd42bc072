//! Feature definitions: the built-in `gatehouse-feature-definition.properties`
//! plus every `*-feature-definition.properties` file in the features folder,
//! in XNAT's format (seed 002):
//!
//! ```text
//! org.nrg.Feature=[key]
//! org.nrg.Feature.[key].key=[key]
//! org.nrg.Feature.[key].name=[name shown in the UI]
//! org.nrg.Feature.[key].OnByDefault=[true|false]
//! org.nrg.Feature.[key].description=[a sentence or two]
//! ```
//!
//! Decisions: `org.nrg.Feature` may list several keys separated by commas;
//! a missing `OnByDefault` means off (the seed: "false or null"); `.key`,
//! when given, must repeat the key; a name is required. Anything else in a
//! file — another key, an unknown attribute, an attribute of a feature the
//! file does not declare, a key declared twice — is a start-up error naming
//! the file and line, and a key defined in two files names both.

use super::properties::{self, Entry};
use std::path::Path;

/// Where the built-in definitions are said to come from.
pub const BUILT_IN: &str = "built in (gatehouse-feature-definition.properties)";
const BUILT_IN_TEXT: &str = include_str!("gatehouse-feature-definition.properties");
const FILE_SUFFIX: &str = "-feature-definition.properties";
const PREFIX: &str = "org.nrg.Feature";
const MAX_KEY_CHARS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Definition {
    pub key: String,
    pub name: String,
    pub description: String,
    pub on_by_default: bool,
    /// The file it came from, or [`BUILT_IN`].
    pub source: String,
}

/// The built-in definitions only (what a site without a features folder has).
pub fn built_in() -> Vec<Definition> {
    let mut defs = parse_file(BUILT_IN_TEXT, BUILT_IN).expect("the built-in feature definitions parse");
    defs.sort_by(|a, b| a.key.cmp(&b.key));
    defs
}

/// The built-in definitions and every definition file in `dir` (a missing
/// folder adds none), sorted by key.
pub fn load(dir: &Path) -> Result<Vec<Definition>, String> {
    let mut all = built_in();
    let mut files: Vec<_> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(FILE_SUFFIX)))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(format!("{}: cannot read the features folder: {e}", dir.display())),
    };
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let source = path.display().to_string();
        for def in parse_file(&text, &source)? {
            if let Some(first) = all.iter().find(|d| d.key == def.key) {
                return Err(format!("feature \"{}\" is defined in both {} and {}", def.key, first.source, def.source));
            }
            all.push(def);
        }
    }
    all.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(all)
}

/// A feature being read: its parts as found, with the lines they were on.
#[derive(Default)]
struct Draft {
    declared_at: usize,
    key_attr: Option<(String, usize)>,
    name: Option<String>,
    description: Option<String>,
    on_by_default: Option<(String, usize)>,
}

/// The definitions in one file's `text`; errors read `source:line: …`.
pub fn parse_file(text: &str, source: &str) -> Result<Vec<Definition>, String> {
    let at = |line: usize, message: String| format!("{source}:{line}: {message}");
    let entries = properties::parse(text).map_err(|e| at(e.line, e.message))?;
    let mut drafts: Vec<(String, Draft)> = Vec::new();
    for Entry { key, line, value } in &entries {
        if key == PREFIX {
            for id in value.split(',').map(str::trim).filter(|id| !id.is_empty()) {
                check_key(id).map_err(|m| at(*line, m))?;
                if drafts.iter().any(|(k, _)| k == id) {
                    return Err(at(*line, format!("feature \"{id}\" is declared twice in this file")));
                }
                drafts.push((id.to_string(), Draft { declared_at: *line, ..Draft::default() }));
            }
        }
    }
    for Entry { key, value, line } in entries {
        if key == PREFIX {
            continue;
        }
        let Some((id, attribute)) = key.strip_prefix(PREFIX).and_then(|k| k.strip_prefix('.')).and_then(|k| k.rsplit_once('.')) else {
            return Err(at(line, format!("\"{key}\" is not a feature definition (expected {PREFIX}.<key>.<attribute>)")));
        };
        let Some((_, draft)) = drafts.iter_mut().find(|(k, _)| k == id) else {
            return Err(at(line, format!("\"{key}\" belongs to feature \"{id}\", which this file does not declare with {PREFIX}={id}")));
        };
        match attribute {
            "key" => draft.key_attr = Some((value, line)),
            "name" => draft.name = Some(value),
            "description" => draft.description = Some(value),
            "OnByDefault" => draft.on_by_default = Some((value, line)),
            other => return Err(at(line, format!("unknown attribute \"{other}\" (expected key, name, OnByDefault or description)"))),
        }
    }
    drafts
        .into_iter()
        .map(|(key, d)| {
            if let Some((given, line)) = &d.key_attr {
                if given.trim() != key {
                    return Err(at(*line, format!("{PREFIX}.{key}.key is \"{given}\"; it must repeat the key \"{key}\"")));
                }
            }
            let name = d.name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
            let name = name.ok_or_else(|| at(d.declared_at, format!("feature \"{key}\" has no {PREFIX}.{key}.name")))?;
            let on_by_default = match &d.on_by_default {
                None => false,
                Some((v, _)) if v.trim().eq_ignore_ascii_case("true") => true,
                Some((v, _)) if v.trim().eq_ignore_ascii_case("false") || v.trim().is_empty() => false,
                Some((v, line)) => return Err(at(*line, format!("OnByDefault must be true or false, not \"{v}\""))),
            };
            Ok(Definition { key, name, description: d.description.unwrap_or_default().trim().to_string(), on_by_default, source: source.to_string() })
        })
        .collect()
}

fn check_key(id: &str) -> Result<(), String> {
    let fine = id.len() <= MAX_KEY_CHARS && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if fine { Ok(()) } else { Err(format!("\"{id}\" is not a usable feature key (letters, digits, _ - . and at most {MAX_KEY_CHARS} characters)")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed's example, filled in.
    const SEED: &str = "org.nrg.Feature=manage_files\n\
        org.nrg.Feature.manage_files.key=manage_files\n\
        org.nrg.Feature.manage_files.name=Manage files\n\
        org.nrg.Feature.manage_files.OnByDefault=true\n\
        org.nrg.Feature.manage_files.description=Upload, rename and delete files\n";

    #[test]
    fn the_seed_format_reads() {
        let defs = parse_file(SEED, "x-feature-definition.properties").unwrap();
        assert_eq!(
            defs,
            vec![Definition {
                key: "manage_files".into(),
                name: "Manage files".into(),
                description: "Upload, rename and delete files".into(),
                on_by_default: true,
                source: "x-feature-definition.properties".into(),
            }]
        );
    }

    #[test]
    fn comments_continuations_escapes_and_lists() {
        let text = "# Viewer features\n\
            org.nrg.Feature = viewer, exporter\n\
            org.nrg.Feature.viewer.name : 3D viewer \\\n    for scans\n\
            org.nrg.Feature.viewer.description=Shows caf\\u00e9 scans\n\
            ! exporter is off by default\n\
            org.nrg.Feature.exporter.name=Exporter\n";
        let defs = parse_file(text, "f").unwrap();
        assert_eq!((defs[0].name.as_str(), defs[0].on_by_default), ("3D viewer for scans", false));
        assert_eq!(defs[0].description, "Shows café scans");
        assert_eq!((defs[1].key.as_str(), defs[1].on_by_default), ("exporter", false));
    }

    #[test]
    fn malformed_files_name_the_line() {
        let cases = [
            ("org.nrg.Feature=a\norg.nrg.Feature.a.name=A\nsomething.else=1\n", "f:3: \"something.else\" is not a feature definition"),
            ("org.nrg.Feature=a\norg.nrg.Feature.a.name=A\norg.nrg.Feature.a.colour=red\n", "f:3: unknown attribute \"colour\""),
            ("org.nrg.Feature=a\norg.nrg.Feature.a.name=A\norg.nrg.Feature.a.OnByDefault=yes\n", "f:3: OnByDefault must be true or false"),
            ("org.nrg.Feature=a\n\norg.nrg.Feature.a.description=no name\n", "f:1: feature \"a\" has no org.nrg.Feature.a.name"),
            ("org.nrg.Feature.b.name=B\n", "f:1: \"org.nrg.Feature.b.name\" belongs to feature \"b\""),
            ("org.nrg.Feature=a\norg.nrg.Feature=a\n", "f:2: feature \"a\" is declared twice"),
            ("org.nrg.Feature=a b\n", "f:1: \"a b\" is not a usable feature key"),
            ("org.nrg.Feature=a\norg.nrg.Feature.a.name=A\norg.nrg.Feature.a.key=b\n", "f:3: org.nrg.Feature.a.key is \"b\""),
            ("org.nrg.Feature=a\norg.nrg.Feature.a.name=\\u00zz\n", "f:2: malformed"),
        ];
        for (text, expected) in cases {
            let err = parse_file(text, "f").unwrap_err();
            assert!(err.starts_with(expected), "{text:?}: {err}");
        }
    }

    #[test]
    fn a_folder_adds_files_and_a_duplicate_names_both() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(&dir.path().join("missing")).unwrap(), built_in(), "a missing folder adds nothing");
        std::fs::write(dir.path().join("viewer-feature-definition.properties"), "org.nrg.Feature=viewer\norg.nrg.Feature.viewer.name=Viewer\n").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not read").unwrap();
        let defs = load(dir.path()).unwrap();
        let viewer = defs.iter().find(|d| d.key == "viewer").unwrap();
        assert!(viewer.source.ends_with("viewer-feature-definition.properties"));
        assert!(defs.iter().any(|d| d.key == "manage_files" && d.source == BUILT_IN));
        std::fs::write(dir.path().join("other-feature-definition.properties"), "org.nrg.Feature=viewer\norg.nrg.Feature.viewer.name=Again\n").unwrap();
        let err = load(dir.path()).unwrap_err();
        assert!(err.contains("\"viewer\" is defined in both") && err.contains("other-feature") && err.contains("viewer-feature"), "{err}");
    }

    #[test]
    fn the_built_ins_are_gatehouses_own_features() {
        let keys: Vec<(String, bool)> = built_in().into_iter().map(|d| (d.key, d.on_by_default)).collect();
        for key in ["manage_files", "download_files", "invite_members", "request_access", "export_csv"] {
            assert!(keys.contains(&(key.to_string(), true)), "{key} in {keys:?}");
        }
    }
}
