//! The import graph of the service, auth and REST files, read from the
//! source tree (tests excluded, comments and strings ignored):
//!
//! - every service module has a tier in the table of
//!   `app/src/backend/service/mod.rs`, and imports only what that table's
//!   rule allows (an import that goes up or sideways a tier fails);
//! - no file of `app/src/backend/auth/`, `app/src/backend/service/`,
//!   `server/src/rest/` and `server/src/middleware.rs` reaches itself
//!   through imports (a cycle fails, printed with the lines that make it);
//! - those files name other modules in `use` lines only: an inline
//!   `crate::backend::…`, `app::backend::…` or `super::x::…` path in a body
//!   fails, unless listed in `INLINE_PATHS_ALLOWED`.
//!
//! An import is a `use` line, a `pub use`, or a path written inline
//! (`crate::backend::service::x::f()`, `super::x::f()`, `app::…`). A file
//! that imports a folder's `mod.rs` (`super::ApiResult`) depends on that
//! file, not on the folder.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("server/ has a parent").to_path_buf()
}

// ---------------------------------------------------------------------------
// Reading Rust source: comments, strings and `#[cfg(test)]` items blanked.

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Punct(&'static str),
}

/// The tokens of `text` with their line numbers; only identifiers and the
/// punctuation a path or a `use` tree is made of (`::`, `{`, `}`, `,`,
/// `*`, `;`, `#`, `[`, `]`, `(`, `)`); everything else is dropped.
fn tokens(text: &str) -> Vec<(Tok, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    let count_lines = |s: &[char]| s.iter().filter(|c| **c == '\n').count();
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let (start, mut depth) = (i, 0);
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            line += count_lines(&chars[start..i.min(chars.len())]);
        } else if c == 'r' && (next == Some('"') || (next == Some('#') && raw_string_start(&chars, i + 1))) {
            // Raw string r"…" or r#"…"#.
            let start = i;
            i += 1;
            let hashes = chars[i..].iter().take_while(|c| **c == '#').count();
            i += hashes + 1;
            loop {
                if i >= chars.len() {
                    break;
                }
                if chars[i] == '"' && chars[i + 1..].iter().take(hashes).filter(|c| **c == '#').count() == hashes {
                    i += 1 + hashes;
                    break;
                }
                i += 1;
            }
            line += count_lines(&chars[start..i.min(chars.len())]);
        } else if c == 'b' && next == Some('"') {
            i += 1;
        } else if c == '"' {
            let start = i;
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            line += count_lines(&chars[start..i.min(chars.len())]);
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            if next == Some('\\') {
                i += 3;
                while i < chars.len() && chars[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                i += 3;
            } else {
                i += 1;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
            }
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            out.push((Tok::Ident(word.trim_start_matches("r#").to_string()), line));
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_' || chars[i] == '.') {
                i += 1;
            }
        } else {
            let punct: Option<&'static str> = match (c, next) {
                (':', Some(':')) => Some("::"),
                ('{', _) => Some("{"),
                ('}', _) => Some("}"),
                (',', _) => Some(","),
                ('*', _) => Some("*"),
                (';', _) => Some(";"),
                ('#', _) => Some("#"),
                ('[', _) => Some("["),
                (']', _) => Some("]"),
                ('(', _) => Some("("),
                (')', _) => Some(")"),
                _ => None,
            };
            if let Some(p) = punct {
                out.push((Tok::Punct(p), line));
            }
            i += if punct == Some("::") { 2 } else { 1 };
        }
    }
    out
}

fn raw_string_start(chars: &[char], from: usize) -> bool {
    chars[from..].iter().skip_while(|c| **c == '#').next() == Some(&'"')
}

fn is_punct(t: Option<&(Tok, usize)>, p: &str) -> bool {
    matches!(t, Some((Tok::Punct(q), _)) if *q == p)
}

fn is_ident(t: Option<&(Tok, usize)>, w: &str) -> bool {
    matches!(t, Some((Tok::Ident(q), _)) if q == w)
}

/// The tokens with every `#[cfg(test)]` item removed (a `mod tests { … }`,
/// a `use`, a `fn`): from the attribute to the item's `;` or closing brace.
fn without_test_items(toks: Vec<(Tok, usize)>) -> Vec<(Tok, usize)> {
    let mut out = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let cfg_test = is_punct(toks.get(i), "#")
            && is_punct(toks.get(i + 1), "[")
            && is_ident(toks.get(i + 2), "cfg")
            && is_punct(toks.get(i + 3), "(")
            && is_ident(toks.get(i + 4), "test")
            && is_punct(toks.get(i + 5), ")")
            && is_punct(toks.get(i + 6), "]");
        if !cfg_test {
            out.push(toks[i].clone());
            i += 1;
            continue;
        }
        i += 7;
        while i < toks.len() && !is_punct(toks.get(i), ";") && !is_punct(toks.get(i), "{") {
            i += 1;
        }
        if is_punct(toks.get(i), "{") {
            let mut depth = 0;
            while i < toks.len() {
                if is_punct(toks.get(i), "{") {
                    depth += 1;
                } else if is_punct(toks.get(i), "}") {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                i += 1;
            }
        }
        i += 1;
    }
    out
}

/// One path a file names: its segments as written and the line.
#[derive(Debug, Clone, PartialEq)]
struct Named {
    path: Vec<String>,
    line: usize,
}

/// Expands one `use` tree starting at `toks[*i]` (after `use`), appending
/// each full path with the name it brings into scope (a `self` in a group
/// names the group's prefix; a glob brings `*`).
fn use_tree(toks: &[(Tok, usize)], i: &mut usize, prefix: &[String], out: &mut Vec<(Named, String)>) {
    let mut path = prefix.to_vec();
    let line = toks.get(*i).map(|t| t.1).unwrap_or(0);
    loop {
        match toks.get(*i) {
            Some((Tok::Punct("{"), _)) => {
                *i += 1;
                while *i < toks.len() && !is_punct(toks.get(*i), "}") && !is_punct(toks.get(*i), ";") {
                    use_tree(toks, i, &path, out);
                    if is_punct(toks.get(*i), ",") {
                        *i += 1;
                    }
                }
                *i += 1;
                return;
            }
            Some((Tok::Punct("*"), _)) => {
                *i += 1;
                out.push((Named { path, line }, "*".to_string()));
                return;
            }
            Some((Tok::Ident(word), _)) if word == "self" && !path.is_empty() => {
                *i += 1;
            }
            Some((Tok::Ident(word), _)) => {
                path.push(word.clone());
                *i += 1;
            }
            _ => {}
        }
        if is_punct(toks.get(*i), "::") {
            *i += 1;
            continue;
        }
        let mut alias = path.last().cloned().unwrap_or_default();
        if is_ident(toks.get(*i), "as") {
            if let Some((Tok::Ident(name), _)) = toks.get(*i + 1) {
                alias = name.clone();
            }
            *i += 2;
        }
        out.push((Named { path, line }, alias));
        return;
    }
}

/// What a file names: the paths of its `use` trees (with the name each
/// brings into scope) and the paths written inline, `a::b::c`.
struct FileNames {
    uses: Vec<(Named, String)>,
    inline: Vec<Named>,
    /// `mod x;` declared here (non-test): `x::…` names that child.
    children: Vec<String>,
}

fn names_in(text: &str) -> FileNames {
    let toks = without_test_items(tokens(text));
    let mut uses = Vec::new();
    let mut inline = Vec::new();
    let mut children = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if is_ident(toks.get(i), "use") {
            // `use` at item level (not `T::use`, which is not Rust anyway).
            let mut j = i + 1;
            use_tree(&toks, &mut j, &[], &mut uses);
            let end = (j..toks.len()).find(|k| is_punct(toks.get(*k), ";")).unwrap_or(toks.len());
            i = end + 1;
            continue;
        }
        if is_ident(toks.get(i), "mod") {
            if let (Some((Tok::Ident(name), _)), true) = (toks.get(i + 1), is_punct(toks.get(i + 2), ";")) {
                children.push(name.clone());
            }
        }
        if let Some((Tok::Ident(first), line)) = toks.get(i) {
            let after_colons = i > 0 && is_punct(toks.get(i - 1), "::");
            if !after_colons && is_punct(toks.get(i + 1), "::") {
                let mut path = vec![first.clone()];
                let mut j = i + 1;
                while is_punct(toks.get(j), "::") {
                    match toks.get(j + 1) {
                        Some((Tok::Ident(w), _)) => path.push(w.clone()),
                        _ => break,
                    }
                    j += 2;
                }
                inline.push(Named { path, line: *line });
                i = j;
                continue;
            }
        }
        i += 1;
    }
    FileNames { uses, inline, children }
}

// ---------------------------------------------------------------------------
// Files as modules, and the graph.

/// A source file of the graph: its node name (`service/audit`,
/// `auth` for `auth/mod.rs`, `rest/xnat`, `middleware`), its crate and
/// module path, and its path for messages.
struct SourceFile {
    node: String,
    krate: &'static str,
    module: Vec<String>,
    shown: String,
    text: String,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `rest/xnat.rs` under `server/src` → module `[rest, xnat]`; `mod.rs` names its folder.
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop().expect("a file name");
    if last != "mod.rs" {
        parts.push(last.trim_end_matches(".rs").to_string());
    }
    parts
}

fn source_files(root: &Path) -> Vec<SourceFile> {
    let mut files = Vec::new();
    let app_src = root.join("app/src");
    let server_src = root.join("server/src");
    let mut add = |krate: &'static str, src: &Path, path: PathBuf, node_from: usize| {
        let relative = path.strip_prefix(src).expect("under src").to_path_buf();
        let module = module_of(&relative);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        files.push(SourceFile {
            node: module[node_from..].join("/"),
            krate,
            module,
            shown: path.strip_prefix(root).expect("under the root").display().to_string(),
            text,
        });
    };
    for folder in ["auth", "service"] {
        let mut paths = Vec::new();
        rust_files(&app_src.join("backend").join(folder), &mut paths);
        for path in paths {
            add("app", &app_src, path, 1);
        }
    }
    let mut paths = Vec::new();
    rust_files(&server_src.join("rest"), &mut paths);
    paths.push(server_src.join("middleware.rs"));
    for path in paths {
        add("server", &server_src, path, 0);
    }
    files
}

/// One import between two files of the graph, with where it is written.
#[derive(Debug, Clone)]
struct Edge {
    from: String,
    to: String,
    at: String,
}

/// The canonical (crate, path) a path written in `file` names, or `None`
/// when it starts with a name that is not a module path (a type, a local
/// alias of something outside).
fn canonical(file: &SourceFile, path: &[String], aliases: &HashMap<String, (String, Vec<String>)>) -> Option<(String, Vec<String>)> {
    let first = path.first()?;
    let (krate, mut base, rest) = match first.as_str() {
        "crate" => (file.krate.to_string(), Vec::new(), &path[1..]),
        "app" if file.krate == "server" => ("app".to_string(), Vec::new(), &path[1..]),
        "self" => (file.krate.to_string(), file.module.clone(), &path[1..]),
        "super" => {
            let mut base = file.module.clone();
            let mut k = 0;
            while path.get(k).is_some_and(|s| s == "super") {
                base.pop();
                k += 1;
            }
            (file.krate.to_string(), base, &path[k..])
        }
        other => {
            let (krate, target) = aliases.get(other)?;
            (krate.clone(), target.clone(), &path[1..])
        }
    };
    base.extend(rest.iter().cloned());
    Some((krate, base))
}

/// The file a canonical path lands in: the longest module prefix that is a file of the graph.
fn file_for<'a>(files: &'a [SourceFile], krate: &str, path: &[String]) -> Option<&'a SourceFile> {
    files.iter().filter(|f| f.krate == krate && path.starts_with(&f.module)).max_by_key(|f| f.module.len())
}

fn edges(files: &[SourceFile]) -> Vec<Edge> {
    let mut out = Vec::new();
    for file in files {
        let names = names_in(&file.text);
        // Names brought into scope: by `use` and by `mod child;`.
        let mut aliases: HashMap<String, (String, Vec<String>)> = HashMap::new();
        for child in &names.children {
            let mut module = file.module.clone();
            module.push(child.clone());
            aliases.insert(child.clone(), (file.krate.to_string(), module));
        }
        let mut all = Vec::new();
        for (named, alias) in &names.uses {
            if let Some(target) = canonical(file, &named.path, &aliases) {
                aliases.insert(alias.clone(), target.clone());
                all.push((target, named.line));
            }
        }
        for named in &names.inline {
            if let Some(target) = canonical(file, &named.path, &aliases) {
                all.push((target, named.line));
            }
        }
        for ((krate, path), line) in all {
            if let Some(to) = file_for(files, &krate, &path) {
                if to.node != file.node {
                    out.push(Edge { from: file.node.clone(), to: to.node.clone(), at: format!("{}:{line}", file.shown) });
                }
            }
        }
    }
    out
}

/// The strongly connected components of more than one node (each a set of
/// files that import each other), by Tarjan's algorithm.
fn cycles(nodes: &BTreeSet<String>, edges: &[(String, String)]) -> Vec<Vec<String>> {
    let mut next: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (a, b) in edges {
        next.entry(a).or_default().insert(b);
    }
    struct Walk<'a> {
        next: &'a BTreeMap<&'a str, BTreeSet<&'a str>>,
        index: HashMap<&'a str, usize>,
        low: HashMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(w: &mut Walk<'a>, v: &'a str) {
        let n = w.index.len();
        w.index.insert(v, n);
        w.low.insert(v, n);
        w.stack.push(v);
        w.on_stack.insert(v);
        let targets: Vec<&str> = w.next.get(v).map(|s| s.iter().copied().collect()).unwrap_or_default();
        for t in targets {
            if !w.index.contains_key(t) {
                visit(w, t);
                let low = w.low[v].min(w.low[t]);
                w.low.insert(v, low);
            } else if w.on_stack.contains(t) {
                let low = w.low[v].min(w.index[t]);
                w.low.insert(v, low);
            }
        }
        if w.low[v] == w.index[v] {
            let mut component = Vec::new();
            loop {
                let x = w.stack.pop().expect("on the stack");
                w.on_stack.remove(x);
                component.push(x.to_string());
                if x == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                w.found.push(component);
            }
        }
    }
    let mut walk = Walk { next: &next, index: HashMap::new(), low: HashMap::new(), stack: Vec::new(), on_stack: BTreeSet::new(), found: Vec::new() };
    for v in nodes {
        if !walk.index.contains_key(v.as_str()) {
            visit(&mut walk, v);
        }
    }
    walk.found.sort();
    walk.found
}

/// One shortest cycle through `start` inside `component`, as `a → b → a`.
fn one_cycle(start: &str, component: &[String], edges: &[(String, String)]) -> Vec<String> {
    let inside: BTreeSet<&str> = component.iter().map(String::as_str).collect();
    let mut came_from: HashMap<&str, &str> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for (a, b) in edges {
            if a != v || !inside.contains(b.as_str()) {
                continue;
            }
            if b == start {
                let mut path = vec![start.to_string(), v.to_string()];
                let mut x = v;
                while x != start {
                    x = came_from[x];
                    path.push(x.to_string());
                }
                path.reverse();
                path.dedup();
                if path.len() == 1 {
                    path.push(start.to_string());
                }
                if path.first() != path.last() {
                    path.push(start.to_string());
                }
                return path;
            }
            if b != start && !came_from.contains_key(b.as_str()) {
                came_from.insert(b, v);
                queue.push_back(b);
            }
        }
    }
    vec![start.to_string()]
}

// ---------------------------------------------------------------------------
// Tiers.

/// The tier table of `service/mod.rs`: rows `//! | 0 | audit, settings |`,
/// in order; returns each module's (tier, position in its row).
fn tier_table(text: &str) -> BTreeMap<String, (usize, usize)> {
    let mut table = BTreeMap::new();
    for line in text.lines() {
        let Some(row) = line.strip_prefix("//! |") else { continue };
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let Some(Ok(tier)) = cells.first().map(|c| c.parse::<usize>()) else { continue };
        for (position, module) in cells.get(1).unwrap_or(&"").split(',').map(|m| m.trim().trim_matches('`')).filter(|m| !m.is_empty()).enumerate() {
            assert!(table.insert(module.to_string(), (tier, position)).is_none(), "{module} is in the tier table twice");
        }
    }
    table
}

/// Whether `from` may import `to`: a lower tier, or in the bottom tier (0)
/// a module listed before it in the row.
fn allowed(from: (usize, usize), to: (usize, usize)) -> bool {
    to.0 < from.0 || (from.0 == 0 && to.0 == 0 && to.1 < from.1)
}

/// `service/users/listing` → `users`; other nodes → `None`.
fn service_module(node: &str) -> Option<&str> {
    node.strip_prefix("service/").map(|rest| rest.split('/').next().unwrap_or(rest))
}

/// The service-to-service imports the tier table does not allow, and the
/// service modules it does not name.
fn tier_violations(table: &BTreeMap<String, (usize, usize)>, edges: &[Edge]) -> Vec<String> {
    let mut out = Vec::new();
    for edge in edges {
        let (Some(from), Some(to)) = (service_module(&edge.from), service_module(&edge.to)) else { continue };
        if from == to {
            continue;
        }
        match (table.get(from), table.get(to)) {
            (Some(f), Some(t)) if allowed(*f, *t) => {}
            (Some(f), Some(t)) => out.push(format!("{}: {from} (tier {}) imports {to} (tier {})", edge.at, f.0, t.0)),
            // A module missing from the table is reported once, by the caller.
            _ => {}
        }
    }
    out.sort();
    out.dedup();
    out
}

fn report_cycles(nodes: &BTreeSet<String>, edges: &[Edge]) -> Vec<String> {
    let pairs: Vec<(String, String)> = edges.iter().map(|e| (e.from.clone(), e.to.clone())).collect();
    let mut out = Vec::new();
    for component in cycles(nodes, &pairs) {
        let cycle = one_cycle(&component[0], &component, &pairs);
        let mut text = format!("cycle among {{{}}}, e.g. {}; the imports inside it:", component.join(", "), cycle.join(" → "));
        let mut seen = BTreeSet::new();
        for e in edges.iter().filter(|e| component.contains(&e.from) && component.contains(&e.to)) {
            if seen.insert((e.from.clone(), e.to.clone())) {
                text.push_str(&format!("\n    {} → {}  ({})", e.from, e.to, e.at));
            }
        }
        out.push(text);
    }
    out
}

#[test]
fn services_import_only_down_their_tiers() {
    let root = repository_root();
    let files = source_files(&root);
    let table = tier_table(&std::fs::read_to_string(root.join("app/src/backend/service/mod.rs")).expect("service/mod.rs"));
    let mut problems = Vec::new();
    let modules: BTreeSet<&str> = files.iter().filter_map(|f| service_module(&f.node)).collect();
    for module in &modules {
        if !table.contains_key(*module) {
            problems.push(format!("service module {module} is not in the tier table of app/src/backend/service/mod.rs"));
        }
    }
    for module in table.keys() {
        if !modules.contains(module.as_str()) {
            problems.push(format!("the tier table names {module}, which is no service module"));
        }
    }
    problems.extend(tier_violations(&table, &edges(&files)));
    assert!(problems.is_empty(), "service imports against the tiers (see app/src/backend/service/mod.rs):\n  {}", problems.join("\n  "));
}

#[test]
fn auth_service_and_rest_files_import_no_cycle() {
    let files = source_files(&repository_root());
    let nodes: BTreeSet<String> = files.iter().map(|f| f.node.clone()).collect();
    let found = report_cycles(&nodes, &edges(&files));
    assert!(found.is_empty(), "import cycles:\n{}", found.join("\n"));
}

/// Inline paths allowed in the files of the graph, as `file: path`. Empty
/// today; a macro that must name items by an absolute path (`$crate::…`,
/// which this reader sees as `crate::…`) would be listed here, with why.
const INLINE_PATHS_ALLOWED: &[&str] = &[];

/// The inline paths in `file` that name a module path from the crate root
/// or a parent (`crate::backend::service::x::f()`, `app::backend::…` from
/// the server, `super::x::f()`, `self::x::f()`): each such edge belongs in
/// a `use` line at the top, where a reader of the imports sees it.
fn inline_module_paths(file: &SourceFile) -> Vec<String> {
    let roots: &[&str] = if file.krate == "server" { &["crate", "app", "super", "self"] } else { &["crate", "super", "self"] };
    names_in(&file.text)
        .inline
        .iter()
        .filter(|n| n.path.len() > 1 && roots.contains(&n.path[0].as_str()))
        .map(|n| (format!("{}: {}", file.shown, n.path.join("::")), n.line))
        .filter(|(allowed, _)| !INLINE_PATHS_ALLOWED.contains(&allowed.as_str()))
        .map(|(text, line)| text.replacen(": ", &format!(":{line}: "), 1))
        .collect()
}

#[test]
fn auth_service_and_rest_files_name_other_modules_in_use_lines_only() {
    let files = source_files(&repository_root());
    let found: Vec<String> = files.iter().flat_map(inline_module_paths).collect();
    assert!(
        found.is_empty(),
        "inline module paths (write a `use` line at the top instead, or list the path in INLINE_PATHS_ALLOWED with why):\n  {}",
        found.join("\n  ")
    );
}

// ---------------------------------------------------------------------------
// The checks themselves can fail.

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[test]
fn the_cycle_finder_finds_a_cycle_and_only_that() {
    let edges = pairs(&[("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e"), ("x", "x2")]);
    let nodes: BTreeSet<String> = ["a", "b", "c", "d", "e", "x", "x2"].iter().map(|s| s.to_string()).collect();
    assert_eq!(cycles(&nodes, &edges), vec![vec!["a".to_string(), "b".into(), "c".into()]]);
    assert_eq!(one_cycle("a", &["a".into(), "b".into(), "c".into()], &edges), vec!["a", "b", "c", "a"]);
    let two = pairs(&[("p", "q"), ("q", "p")]);
    let nodes: BTreeSet<String> = ["p", "q"].iter().map(|s| s.to_string()).collect();
    assert_eq!(cycles(&nodes, &two), vec![vec!["p".to_string(), "q".into()]]);
    assert!(cycles(&nodes, &pairs(&[("p", "q")])).is_empty());
}

#[test]
fn the_tier_rule_refuses_upward_and_sideways_imports() {
    let table = tier_table("//! | tier | modules |\n//! |---|---|\n//! | 0 | audit, settings |\n//! | 1 | users, projects |\n");
    let edge = |from: &str, to: &str| Edge { from: format!("service/{from}"), to: format!("service/{to}"), at: "x.rs:1".into() };
    let ok = [edge("settings", "audit"), edge("users", "settings"), edge("users/listing", "users")];
    assert!(tier_violations(&table, &ok).is_empty());
    let bad = [edge("audit", "settings"), edge("settings", "users"), edge("users", "projects"), edge("users", "mail")];
    assert_eq!(
        tier_violations(&table, &bad),
        vec![
            "x.rs:1: audit (tier 0) imports settings (tier 0)",
            "x.rs:1: settings (tier 0) imports users (tier 1)",
            "x.rs:1: users (tier 1) imports projects (tier 1)",
        ]
    );
}

#[test]
fn imports_are_read_from_use_trees_and_inline_paths_but_not_comments_strings_or_tests() {
    let text = r##"
        //! Doc: crate::backend::service::docs_only::f()
        use crate::backend::service::{audit::{self, Actor}, settings as s};
        use super::*;
        fn f() {
            crate::backend::service::storage::quota(1);
            let _ = "crate::backend::service::in_string::x";
            let _ = r#"super::raw::x"#;
            let _c = 'x'; let _l: &'static str = "";
            s::current();
        }
        /* crate::backend::service::block::x */
        #[cfg(test)]
        mod tests {
            use crate::backend::service::test_only;
        }
    "##;
    let names = names_in(text);
    let uses: Vec<String> = names.uses.iter().map(|(n, alias)| format!("{}={alias}", n.path.join("::"))).collect();
    assert_eq!(
        uses,
        vec!["crate::backend::service::audit=audit", "crate::backend::service::audit::Actor=Actor", "crate::backend::service::settings=s", "super=*"]
    );
    let inline: Vec<String> = names.inline.iter().map(|n| n.path.join("::")).collect();
    assert_eq!(inline, vec!["crate::backend::service::storage::quota", "s::current"]);
}

#[test]
fn the_inline_path_rule_finds_paths_in_bodies_but_not_in_use_lines() {
    let text = "use crate::backend::service::audit;\nfn f() {\n    audit::record();\n    crate::backend::service::settings::current();\n    super::mail::send();\n}\n";
    let file = SourceFile { node: "service/x".into(), krate: "app", module: vec!["backend".into(), "service".into(), "x".into()], shown: "x.rs".into(), text: text.into() };
    assert_eq!(inline_module_paths(&file), vec!["x.rs:4: crate::backend::service::settings::current", "x.rs:5: super::mail::send"]);
    let server = SourceFile { krate: "server", text: "fn g() { app::backend::policy::authorize(); app::model::url::x(); }".into(), ..file };
    assert_eq!(inline_module_paths(&server), vec!["x.rs:1: app::backend::policy::authorize", "x.rs:1: app::model::url::x"]);
}

/// The graph itself, for a reader: `cargo test -p server --test integration
/// module_tiers::print_the_graph -- --ignored --nocapture`.
#[test]
#[ignore]
fn print_the_graph() {
    let files = source_files(&repository_root());
    let mut seen = BTreeSet::new();
    for e in edges(&files) {
        if seen.insert((e.from.clone(), e.to.clone())) {
            println!("{} → {}  ({})", e.from, e.to, e.at);
        }
    }
}
