//! Just enough of a Rust lexer to find paths through the crate root: the
//! source with comments and literals blanked, its tokens, and the names
//! each `crate::` (or root `super::`) path reaches first.
//!
//! Not a parser: it does not follow macros, `#[path]` or `use` renames
//! beyond the first segment, which is all the layering needs.

/// One path through the crate root: the name after `crate::`, or `None` for
/// a glob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub line: usize,
    pub name: Option<String>,
}

/// `source` with comments and the contents of string and character literals
/// blanked (newlines kept), so what is left is code, each byte on its line.
pub fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    while i < chars.len() {
        match non_code_len(&chars, i) {
            Some(n) => {
                let end = (i + n).min(chars.len());
                out.extend(
                    chars[i..end]
                        .iter()
                        .map(|&c| if c == '\n' { c } else { ' ' }),
                );
                i = end;
            }
            None => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    out
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// How many characters of comment or literal start at `i`, if any do.
fn non_code_len(chars: &[char], i: usize) -> Option<usize> {
    let at = |k: usize| chars.get(k).copied();
    let find = |from: usize, what: char| {
        (from..chars.len())
            .find(|&k| chars[k] == what)
            .unwrap_or(chars.len())
    };
    match (chars[i], at(i + 1)) {
        ('/', Some('/')) => Some(find(i, '\n') - i),
        ('/', Some('*')) => Some(block_comment_end(chars, i) - i),
        ('"', _) => Some(string_end(chars, i + 1) - i),
        ('\'', Some('\\')) => Some(find(i + 3, '\'') + 1 - i),
        ('\'', Some(_)) if at(i + 2) == Some('\'') => Some(3),
        ('r', _) if i == 0 || !is_ident_char(chars[i - 1]) || chars[i - 1] == 'b' => {
            raw_string_end(chars, i).map(|end| end - i)
        }
        _ => None,
    }
}

/// The index after the `*/` closing the (possibly nested) comment at `i`.
fn block_comment_end(chars: &[char], i: usize) -> usize {
    let mut depth = 0;
    let mut k = i;
    while k + 1 < chars.len() {
        match (chars[k], chars[k + 1]) {
            ('/', '*') => (depth, k) = (depth + 1, k + 2),
            ('*', '/') if depth == 1 => return k + 2,
            ('*', '/') => (depth, k) = (depth - 1, k + 2),
            _ => k += 1,
        }
    }
    chars.len()
}

/// The index after the `"` closing a string whose contents start at `k`.
fn string_end(chars: &[char], mut k: usize) -> usize {
    while k < chars.len() {
        match chars[k] {
            '\\' => k += 2,
            '"' => return k + 1,
            _ => k += 1,
        }
    }
    chars.len()
}

/// The end of a raw string `r#"..."#` starting at `i`, if one starts there.
fn raw_string_end(chars: &[char], i: usize) -> Option<usize> {
    let hashes = chars[i + 1..].iter().take_while(|&&c| c == '#').count();
    if chars.get(i + 1 + hashes) != Some(&'"') {
        return None;
    }
    let body = i + 2 + hashes;
    (body..chars.len())
        .find(|&k| chars[k] == '"' && chars[k + 1..].iter().take(hashes).all(|&c| c == '#'))
        .map(|k| (k + 1 + hashes).min(chars.len()))
        .or(Some(chars.len()))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    Ident(String),
    /// `::`
    Sep,
    Open,
    Close,
    Comma,
    Star,
    Other,
}

/// The tokens of code (as [`code_only`] leaves it), each with its line.
pub fn tokens(code: &str) -> Vec<(Tok, usize)> {
    let chars: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 1);
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        i += 1;
        let tok = match c {
            '\n' => {
                line += 1;
                continue;
            }
            c if c.is_whitespace() => continue,
            c if is_ident_char(c) => {
                while i < chars.len() && is_ident_char(chars[i]) {
                    i += 1;
                }
                Tok::Ident(chars[start..i].iter().collect())
            }
            ':' if chars.get(i) == Some(&':') => {
                i += 1;
                Tok::Sep
            }
            '{' => Tok::Open,
            '}' => Tok::Close,
            ',' => Tok::Comma,
            '*' => Tok::Star,
            _ => Tok::Other,
        };
        out.push((tok, line));
    }
    out
}

pub fn is_ident(toks: &[(Tok, usize)], k: usize, word: &str) -> bool {
    matches!(toks.get(k), Some((Tok::Ident(w), _)) if w == word)
}

/// The names a path tree starting at `k` (just after `crate::`) reaches
/// first: `x`, `{x, y::Z, *}` or `*`.
fn tree_heads(toks: &[(Tok, usize)], k: usize) -> Vec<Import> {
    let head = |k: usize| match toks.get(k) {
        Some((Tok::Ident(w), line)) if w != "self" => Some(Import {
            line: *line,
            name: Some(w.clone()),
        }),
        Some((Tok::Star, line)) => Some(Import {
            line: *line,
            name: None,
        }),
        _ => None,
    };
    if toks.get(k).map(|t| &t.0) != Some(&Tok::Open) {
        return head(k).into_iter().collect();
    }
    let mut out = Vec::new();
    let (mut depth, mut element_start) = (0, false);
    for (j, (tok, _)) in toks.iter().enumerate().skip(k) {
        if depth == 1 && element_start {
            out.extend(head(j));
        }
        element_start = false;
        match tok {
            Tok::Open => depth += 1,
            Tok::Close if depth == 1 => break,
            Tok::Close => depth -= 1,
            Tok::Comma if depth == 1 => element_start = true,
            _ => {}
        }
        if j == k {
            element_start = true;
        }
    }
    out
}

/// Every path through the crate root in one file's code, `depth` being how
/// far below the root the file's module is (`src/x.rs` and `src/x/mod.rs`
/// are 1, `src/x/y.rs` is 2).
pub fn imports(code: &str, depth: usize) -> Vec<Import> {
    let toks = tokens(code);
    let mut out = Vec::new();
    // One entry per open brace: whether it opened an inline `mod`.
    let mut braces: Vec<bool> = Vec::new();
    let mut k = 0;
    while k < toks.len() {
        match &toks[k].0 {
            Tok::Open => braces.push(k >= 2 && is_ident(&toks, k - 2, "mod")),
            Tok::Close => {
                braces.pop();
            }
            Tok::Ident(w) if w == "crate" && toks.get(k + 1).map(|t| &t.0) == Some(&Tok::Sep) => {
                out.extend(tree_heads(&toks, k + 2));
            }
            Tok::Ident(w) if w == "super" => {
                let mut ups = 0;
                let mut j = k;
                while is_ident(&toks, j, "super")
                    && toks.get(j + 1).map(|t| &t.0) == Some(&Tok::Sep)
                {
                    ups += 1;
                    j += 2;
                }
                let inline = braces.iter().filter(|&&m| m).count();
                if ups > 0 && ups == depth + inline {
                    out.extend(tree_heads(&toks, j));
                }
                k = j.max(k + 1);
                continue;
            }
            _ => {}
        }
        k += 1;
    }
    out
}
