//! The domain reads bottom-up: `lib.rs` declares its modules in layers (one
//! group of `mod` lines per layer) and a module may use only the modules of
//! earlier layers. This test reads the crate's own sources and fails, naming
//! the file, the line and the import, when a module reaches a module of its
//! own layer or a later one.
//!
//! An import is any path through the crate root: `crate::x`, `super::x` where
//! `super` is the root, a group (`use crate::{x, y::Z}`) or a glob
//! (`crate::*`, which reaches every module). A re-exported name
//! (`crate::Matter`) counts as its module, taken from `lib.rs`'s `pub use`
//! lines. A submodule tree (`check/`, `tests/`) counts as its top-level
//! module; `super::` inside one, or inside an inline `mod`, stays within it.
//! Comments and string literals are not code.
//!
//! Not covered: `#[path]` attributes and macros that build paths.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

mod lex;

use lex::{code_only, imports, is_ident, tokens, Tok};

/// A module declared in `lib.rs`, with its layer (0 is the bottom).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Module {
    name: String,
    layer: usize,
}

/// The modules `lib.rs` declares, in order, layered by groups of
/// consecutive `mod` lines (attributes stay with their `mod`).
fn layers(lib_code: &str) -> Vec<Module> {
    let mut out = Vec::new();
    let mut layer = 0;
    let mut in_group = false;
    for line in lib_code.lines().map(str::trim) {
        if line.starts_with("#[") && line.ends_with(']') {
            continue;
        }
        let decl = line
            .strip_prefix("pub")
            .map(|rest| match rest.trim_start().strip_prefix('(') {
                Some(vis) => vis.split_once(')').map_or("", |(_, after)| after),
                None => rest,
            })
            .unwrap_or(line)
            .trim_start();
        let name = decl
            .strip_prefix("mod ")
            .and_then(|rest| rest.trim().strip_suffix(';'))
            .map(str::trim);
        match name {
            Some(name) => {
                if !in_group && !out.is_empty() {
                    layer += 1;
                }
                in_group = true;
                out.push(Module {
                    name: name.to_string(),
                    layer,
                });
            }
            None => in_group = false,
        }
    }
    out
}

/// The names `lib.rs` re-exports (`pub use m::{A, B}`), each with its module.
fn reexports(lib_code: &str, modules: &[Module]) -> BTreeMap<String, String> {
    let toks = tokens(lib_code);
    let mut out = BTreeMap::new();
    for k in 0..toks.len() {
        let Some((Tok::Ident(module), _)) = toks.get(k + 2) else {
            continue;
        };
        if !(is_ident(&toks, k, "pub") && is_ident(&toks, k + 1, "use")) {
            continue;
        }
        if !modules.iter().any(|m| &m.name == module) {
            continue;
        }
        let names = toks[k + 3..]
            .iter()
            .take_while(|(t, _)| *t != Tok::Other)
            .filter_map(|(t, _)| match t {
                Tok::Ident(w) if w != "self" && w != "as" => Some(w.clone()),
                _ => None,
            });
        for name in names {
            out.entry(name).or_insert_with(|| module.clone());
        }
    }
    out
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
    out
}

/// The top-level module a file belongs to and how far below the root its
/// own module is; `None` for `lib.rs`.
fn file_module(relative: &Path) -> Option<(String, usize)> {
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts == ["lib.rs"] {
        return None;
    }
    let top = parts[0].trim_end_matches(".rs").to_string();
    let depth = parts.len() - usize::from(parts.last().is_some_and(|p| p == "mod.rs"));
    Some((top, depth))
}

/// The wrong arrows in one file of module `module`, as report lines.
fn wrong_arrows(
    file: &str,
    source: &str,
    module: &Module,
    depth: usize,
    modules: &[Module],
    reexported: &BTreeMap<String, String>,
) -> (usize, Vec<String>) {
    let lines: Vec<&str> = source.lines().collect();
    let layer_of = |name: &str| modules.iter().find(|m| m.name == name);
    let mut arrows = 0;
    let mut wrong = Vec::new();
    for import in imports(&code_only(source), depth) {
        let targets: Vec<&Module> = match &import.name {
            None => modules.iter().collect(),
            Some(name) => layer_of(name)
                .or_else(|| reexported.get(name).and_then(|m| layer_of(m)))
                .into_iter()
                .collect(),
        };
        for target in targets.into_iter().filter(|t| t.name != module.name) {
            arrows += 1;
            if target.layer >= module.layer {
                let text = lines.get(import.line - 1).map_or("", |l| l.trim());
                wrong.push(format!(
                    "{file}:{}: `{text}`: `{}` (layer {}) uses `{}` (layer {}), \
                     which lib.rs declares in its own or a later layer",
                    import.line,
                    module.name,
                    module.layer + 1,
                    target.name,
                    target.layer + 1,
                ));
            }
        }
    }
    (arrows, wrong)
}

#[test]
fn every_module_uses_only_modules_of_earlier_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = fs::read_to_string(src.join("lib.rs")).expect("read src/lib.rs");
    let lib_code = code_only(&lib);
    let modules = layers(&lib_code);
    assert!(modules.len() > 1, "lib.rs declares modules: {modules:?}");
    let reexported = reexports(&lib_code, &modules);
    let mut arrows = 0;
    let mut problems = Vec::new();
    for path in rust_files(&src) {
        let relative = path.strip_prefix(&src).expect("under src");
        let file = format!("src/{}", relative.display());
        let Some((top, depth)) = file_module(relative) else {
            continue;
        };
        let Some(module) = modules.iter().find(|m| m.name == top) else {
            problems.push(format!("{file}: belongs to no module declared in lib.rs"));
            continue;
        };
        let source = fs::read_to_string(&path).expect("read source");
        let (n, wrong) = wrong_arrows(&file, &source, module, depth, &modules, &reexported);
        arrows += n;
        problems.extend(wrong);
    }
    assert!(
        arrows > 0,
        "the scan found no imports at all: is it reading the crate?"
    );
    assert!(
        problems.is_empty(),
        "wrong arrows between the domain's modules:\n{}",
        problems.join("\n")
    );
}

/// Three layers: `low`; `mid` and `side`; `high`.
const LIB: &str = "//! A crate.\n\npub mod low;\n\npub mod mid;\nmod side;\n\n#[cfg(test)]\nmod high;\n\npub use high::{Top, Other as Alias};\npub use low::Base;\n";

fn report(file: &str, module: &str, depth: usize, source: &str) -> Vec<String> {
    let modules = layers(LIB);
    let module = modules.iter().find(|m| m.name == module).expect("declared");
    let reexported = reexports(LIB, &modules);
    wrong_arrows(file, source, module, depth, &modules, &reexported).1
}

#[test]
fn layers_are_the_groups_of_mod_lines_in_lib_rs() {
    let names: Vec<(String, usize)> = layers(LIB).into_iter().map(|m| (m.name, m.layer)).collect();
    let expected = [("low", 0), ("mid", 1), ("side", 1), ("high", 2)];
    let expected: Vec<(String, usize)> =
        expected.iter().map(|(n, l)| (n.to_string(), *l)).collect();
    assert_eq!(names, expected);
    let reexported = reexports(LIB, &layers(LIB));
    assert_eq!(reexported.get("Alias").map(String::as_str), Some("high"));
    assert_eq!(reexported.get("Base").map(String::as_str), Some("low"));
}

#[test]
fn a_later_or_same_layer_module_is_caught_in_every_spelling() {
    let spellings = [
        "use crate::high::Top;",
        "use super::high::Top;",
        "use crate::{low::Base, high};",
        "use crate::{\n    low::Base,\n    high::{Top, Other},\n};",
        "use crate::Top;",
        "use crate::*;",
        "fn f() -> u8 { crate::high::top() }",
        "use crate::side::Thing;",
    ];
    for source in spellings {
        let wrong = report("src/mid.rs", "mid", 1, source);
        assert!(!wrong.is_empty(), "{source:?} was not caught");
        assert!(
            wrong.iter().all(|w| w.starts_with("src/mid.rs:")),
            "{wrong:?}"
        );
    }
    let wrong = report(
        "src/mid.rs",
        "mid",
        1,
        "use std::fmt;\n\nuse crate::high::Top;\n",
    );
    assert_eq!(wrong.len(), 1);
    assert!(
        wrong[0].starts_with("src/mid.rs:3: `use crate::high::Top;`"),
        "{}",
        wrong[0]
    );
    assert!(
        wrong[0].contains("`mid` (layer 2) uses `high` (layer 3)"),
        "{}",
        wrong[0]
    );
    let nested = report("src/mid/deep.rs", "mid", 2, "use super::super::high::Top;");
    assert_eq!(nested.len(), 1, "{nested:?}");
}

#[test]
fn earlier_layers_comments_strings_and_inner_modules_are_not_wrong_arrows() {
    let fine = [
        "use crate::low::Base;\nuse crate::Base as B;\nuse crate::mid::Same;",
        "// use crate::high::Top;\n/* crate::high /* nested */ crate::high */",
        "//! See [`crate::high`].\nfn f() { let _ = \"crate::high\"; let _ = r#\"super::high\"#; }",
        "fn f() { let _ = '{'; let _ = '\\''; }\nmod tests {\n    use super::*;\n    use super::high;\n}",
        "use super::sibling::Thing;",
        "pub(super) fn f() {}\npub(crate) fn g<'a>(x: &'a str) -> &'a str { x }",
    ];
    for source in fine {
        assert_eq!(
            report("src/mid.rs", "mid", 1, source),
            Vec::<String>::new(),
            "{source:?}"
        );
    }
    let inner = "use super::helper;\nuse super::super::low::Base;";
    assert_eq!(
        report("src/mid/deep.rs", "mid", 2, inner),
        Vec::<String>::new()
    );
}
