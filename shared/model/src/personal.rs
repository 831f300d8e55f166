//! Personal data (个人信息) is typed as such, so that scoped replication can
//! enforce where it travels and so that it is masked wherever it is shown in
//! lists or logs. `Debug` never prints the value.

use serde::{Deserialize, Serialize};

/// A citizen's personal field. Serialises as the plain value (it must reach
/// the nodes in the case's scope); displays only through [`Personal::masked`].
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Personal<T>(T);

impl<T> Personal<T> {
    pub fn new(value: T) -> Self {
        Personal(value)
    }

    /// The value itself: for the case's own views, never for lists or logs.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl Personal<String> {
    /// Masked for lists: an ID number (14 characters or more) shows only
    /// its last 4 (`**************1234`); a person's name, its first
    /// character (the family name).
    pub fn masked(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        match chars.len() {
            0 => String::new(),
            1 => "*".into(),
            2..=4 => format!("{}{}", chars[0], "*".repeat(chars.len() - 1)),
            n => {
                let keep_head = if n >= 14 { 0 } else { 1 };
                let keep_tail = if n >= 14 { 4 } else { 1 };
                let head: String = chars[..keep_head].iter().collect();
                let tail: String = chars[n - keep_tail..].iter().collect();
                format!("{head}{}{tail}", "*".repeat(n - keep_head - keep_tail))
            }
        }
    }
}

impl<T> std::fmt::Debug for Personal<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Personal(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_show_only_their_last_four_characters() {
        let id = Personal::new("410000199001011236".to_string());
        assert_eq!(id.masked(), "**************1236");
    }

    #[test]
    fn names_keep_only_the_family_name() {
        assert_eq!(Personal::new("张三".to_string()).masked(), "张*");
    }

    #[test]
    fn debug_never_prints_the_value() {
        let id = Personal::new("410000199001011236".to_string());
        assert!(!format!("{id:?}").contains("4100001990"));
    }
}
