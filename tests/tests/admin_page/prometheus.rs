//! A strict reader of the Prometheus text exposition format for the
//! `/metrics` tests: `# TYPE` before samples, valid names, quoted and
//! escaped label values, a float value and an optional integer timestamp.
//! Strict enough to catch a broken encoder; not a full parser (no HELP
//! text checks, no exemplars).

use std::collections::BTreeMap;

#[derive(Debug)]
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

pub fn value(samples: &[Sample], name: &str, peer: Option<&str>) -> Option<f64> {
    samples
        .iter()
        .find(|s| s.name == name && s.labels.get("peer").map(String::as_str) == peer)
        .map(|s| s.value)
}

pub fn held(samples: &[Sample]) -> f64 {
    value(samples, "liandong_ops_held", None).expect("liandong_ops_held")
}

/// The text exposition format, strictly enough to catch a broken encoder:
/// `# TYPE` before samples, valid names, quoted and escaped label values,
/// a float value and an optional integer timestamp.
pub fn parse_prometheus(text: &str) -> Result<Vec<Sample>, String> {
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    let mut samples = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let fail = |why: &str| format!("line {}: {why}: {line:?}", n + 1);
        if line.trim().is_empty() {
            continue;
        }
        if let Some(comment) = line.strip_prefix('#') {
            let words: Vec<&str> = comment.split_whitespace().collect();
            if words.first() == Some(&"TYPE") {
                let [_, name, kind] = words[..] else {
                    return Err(fail("TYPE needs a name and a type"));
                };
                if !["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind) {
                    return Err(fail("unknown type"));
                }
                types.insert(name.to_string(), kind.to_string());
            }
            continue;
        }
        let name_end = line.find(['{', ' ']).ok_or_else(|| fail("no value"))?;
        let name = &line[..name_end];
        if !valid_name(name) {
            return Err(fail("bad metric name"));
        }
        let family = ["_total", "_sum", "_count", "_bucket"]
            .iter()
            .find_map(|s| name.strip_suffix(s).filter(|f| types.contains_key(*f)))
            .unwrap_or(name);
        if !types.contains_key(family) {
            return Err(fail("sample without a # TYPE line"));
        }
        let (labels, rest) = parse_labels(&line[name_end..]).map_err(|e| fail(&e))?;
        let mut fields = rest.split_whitespace();
        let value: f64 = fields
            .next()
            .ok_or_else(|| fail("no value"))?
            .parse()
            .map_err(|_| fail("value is not a float"))?;
        if let Some(ts) = fields.next() {
            ts.parse::<i64>().map_err(|_| fail("bad timestamp"))?;
        }
        if fields.next().is_some() {
            return Err(fail("trailing fields"));
        }
        samples.push(Sample {
            name: name.to_string(),
            labels,
            value,
        });
    }
    Ok(samples)
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// `{k="v",...}` at the start of `s` (or nothing); the labels and the rest.
fn parse_labels(s: &str) -> Result<(BTreeMap<String, String>, &str), String> {
    let mut labels = BTreeMap::new();
    let Some(mut rest) = s.strip_prefix('{') else {
        return Ok((labels, s));
    };
    loop {
        if let Some(after) = rest.strip_prefix('}') {
            return Ok((labels, after));
        }
        let eq = rest.find('=').ok_or("label without =")?;
        let key = &rest[..eq];
        if !valid_name(key) || key.contains(':') {
            return Err(format!("bad label name {key:?}"));
        }
        let mut chars = rest[eq + 1..].char_indices();
        if chars.next().map(|(_, c)| c) != Some('"') {
            return Err("label value not quoted".into());
        }
        let mut value = String::new();
        let end = loop {
            match chars.next() {
                None => return Err("unclosed label value".into()),
                Some((i, '"')) => break eq + 1 + i + 1,
                Some((_, '\\')) => match chars.next().map(|(_, c)| c) {
                    Some('\\') => value.push('\\'),
                    Some('"') => value.push('"'),
                    Some('n') => value.push('\n'),
                    _ => return Err("bad escape in label value".into()),
                },
                Some((_, c)) => value.push(c),
            }
        };
        labels.insert(key.to_string(), value);
        rest = &rest[end..];
        if let Some(after) = rest.strip_prefix(',') {
            rest = after;
        } else if !rest.starts_with('}') {
            return Err("expected `,` or `}` after a label".into());
        }
    }
}
