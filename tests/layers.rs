//! The layers of `../shared/DESIGN.md`, checked on the source: a module imports only
//! from its own layer or the ones below it, files import modules (not items the crate
//! root re-exports, which would hide the real dependency), and no two files of a
//! folder import each other (directly or around a circle).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Bottom first. `error`, `oid`, the in-memory BER reader `ber` and the worker-thread
/// `pipeline` are the floor; the rest is DESIGN.md's order.
const LAYERS: &[&[&str]] = &[
    &["error", "oid", "ber", "pipeline"],
    &["address"],
    &["cert"],
    &["trust"],
    &["cms"],
    &["mime"],
    &["directory"],
    &["encryptor", "reader"],
    &["compose"],
    &["keep"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("src/ is readable")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The source without comments and string literals, so that prose about `crate::x`
/// does not count as an import. Unit-test modules (`#[cfg(test)] mod tests`) are cut
/// off: tests may reach anywhere.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => text,
    };
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("//") {
            continue;
        }
        let mut in_str = false;
        let mut prev = ' ';
        for c in line.chars() {
            if c == '"' && prev != '\\' {
                in_str = !in_str;
            } else if !in_str {
                out.push(c);
            }
            prev = c;
        }
        out.push('\n');
    }
    out
}

/// Every `crate::…` path in `code` (after `crate::`, up to the first non-path char),
/// with `use crate::{a, b::c}` groups expanded one level.
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        // `$crate::` and `super::crate` do not occur; skip identifiers ending in crate.
        let before = rest[..i].chars().last();
        rest = &rest[i + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let item = item.trim();
                if !item.is_empty() {
                    out.push(item.to_owned());
                }
            }
            continue;
        }
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        out.push(rest[..end].to_owned());
    }
    out
}

/// `super::name` siblings named in `code` (the file's own folder).
fn super_names(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("super::") {
        rest = &rest[i + "super::".len()..];
        let (names, skip): (Vec<&str>, usize) = if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            (group[..end].split(',').collect(), end)
        } else {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            (vec![&rest[..end]], end)
        };
        for n in names {
            let n = n.trim().split("::").next().unwrap_or("").trim();
            if n.chars().next().is_some_and(|c| c.is_ascii_lowercase()) && n != "self" {
                out.insert(n.to_owned());
            }
        }
        rest = &rest[skip..];
    }
    out
}

struct SourceFile {
    /// Top-level module: `trust` for src/trust/path.rs, `lib` for src/lib.rs.
    module: String,
    /// Folder-relative file stem: `path` for src/trust/path.rs, `mod` for mod.rs.
    stem: String,
    /// Folder under src/ (`trust`, `cert/pkcs12`, `` for the root).
    folder: String,
    code: String,
}

fn sources() -> Vec<SourceFile> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&src).expect("under src/").to_path_buf();
            let parts: Vec<String> = rel
                .iter()
                .map(|s| s.to_string_lossy().into_owned())
                .collect();
            let module = parts[0].trim_end_matches(".rs").to_owned();
            let stem = parts[parts.len() - 1].trim_end_matches(".rs").to_owned();
            let folder = parts[..parts.len() - 1].join("/");
            let text = std::fs::read_to_string(&p).expect("source is UTF-8");
            SourceFile {
                module,
                stem,
                folder,
                code: code_of(&text),
            }
        })
        .collect()
}

#[test]
fn modules_import_only_from_their_layer_or_below() {
    let mut violations = Vec::new();
    for f in sources() {
        let Some(own) = layer_of(&f.module) else {
            assert_eq!(
                f.module, "lib",
                "src/{} is in no layer of DESIGN.md",
                f.module
            );
            continue;
        };
        for path in crate_paths(&f.code) {
            let first = path.split("::").next().unwrap_or("").trim();
            match layer_of(first) {
                Some(l) if l > own => violations.push(format!(
                    "src/{}/{}.rs ({}) imports crate::{path} from a higher layer",
                    f.folder, f.stem, f.module
                )),
                Some(_) => {}
                None => violations.push(format!(
                    "src/{}/{}.rs imports crate::{path} through the crate root; name the module",
                    f.folder, f.stem
                )),
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn no_file_imports_circle() {
    // Edges between files of one folder: `super::x` from a sibling, and
    // `crate::dir::x` naming a file of that folder. mod.rs files declare and
    // re-export their children; they are not nodes.
    let files = sources();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let siblings = |folder: &str| -> BTreeSet<String> {
        files
            .iter()
            .filter(|g| g.folder == folder && g.stem != "mod")
            .map(|g| g.stem.clone())
            .collect()
    };
    for f in files
        .iter()
        .filter(|f| f.stem != "mod" && !f.folder.is_empty())
    {
        let names = siblings(&f.folder);
        let mut to: BTreeSet<String> = super_names(&f.code);
        let prefix = format!("{}::", f.folder.replace('/', "::"));
        for path in crate_paths(&f.code) {
            if let Some(rest) = path.strip_prefix(&prefix) {
                let n = rest.split("::").next().unwrap_or("").trim().to_owned();
                to.insert(n);
            }
        }
        let key = format!("{}/{}", f.folder, f.stem);
        let entry = edges.entry(key).or_default();
        for n in to {
            if names.contains(&n) && n != f.stem {
                entry.insert(format!("{}/{}", f.folder, n));
            }
        }
    }
    // Depth-first search for a back edge.
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
        circles: &mut Vec<String>,
    ) {
        state.insert(node.to_owned(), 1);
        stack.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let from = stack.iter().position(|s| s == next).unwrap_or(0);
                    circles.push(format!("{} -> {next}", stack[from..].join(" -> ")));
                }
                Some(_) => {}
                None => visit(next, edges, state, stack, circles),
            }
        }
        stack.pop();
        state.insert(node.to_owned(), 2);
    }
    let mut state = BTreeMap::new();
    let mut circles = Vec::new();
    for node in edges.keys() {
        if !state.contains_key(node.as_str()) {
            visit(node, &edges, &mut state, &mut Vec::new(), &mut circles);
        }
    }
    assert!(
        circles.is_empty(),
        "import circles:\n{}",
        circles.join("\n")
    );
}

/// The checker itself: a path into a higher layer and a circle are found.
#[test]
fn the_checker_sees_what_it_looks_for() {
    let code = code_of(
        "use crate::encryptor::SealError;\n// crate::keep in prose\nuse crate::{Certificate, trust::Policy};\n",
    );
    assert_eq!(
        crate_paths(&code),
        vec!["encryptor::SealError", "Certificate", "trust::Policy"]
    );
    assert_eq!(layer_of("encryptor"), Some(7));
    assert!(layer_of("Certificate").is_none());
    let names =
        super_names("use super::store::{CrlFetcher};\nuse super::{path, verified::VerifiedPath};");
    assert_eq!(
        names,
        ["path", "store", "verified"]
            .into_iter()
            .map(String::from)
            .collect()
    );
}
