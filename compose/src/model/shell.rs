//! `command` / `entrypoint` strings split into words as the CLI splits them (google/shlex).

use super::forms::strings;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_yaml_ng::Value;

/// `command` / `entrypoint`: a list as is, a string split like a shell (google/shlex, which
/// the CLI uses: quotes, backslashes, `#` comments; never a shell).
pub fn shell_command<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<String>>, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => shell_split(&s).map(Some).map_err(D::Error::custom),
        Value::Null => Ok(None),
        other => strings(other, "command")
            .map(Some)
            .map_err(D::Error::custom),
    }
}

/// google/shlex's `Split`, state for state.
pub fn shell_split(text: &str) -> Result<Vec<String>, String> {
    #[derive(PartialEq)]
    enum S {
        Start,
        Word,
        Escaping,
        EscapingQuoted,
        Double,
        Single,
        Comment,
    }
    let mut words = Vec::new();
    let mut word = String::new();
    let mut state = S::Start;
    for c in text.chars() {
        let space = matches!(c, ' ' | '\t' | '\r' | '\n');
        state = match state {
            S::Start => match c {
                _ if space => S::Start,
                '"' => S::Double,
                '\'' => S::Single,
                '\\' => S::Escaping,
                '#' => S::Comment,
                _ => {
                    word.push(c);
                    S::Word
                }
            },
            S::Word => match c {
                _ if space => {
                    words.push(std::mem::take(&mut word));
                    S::Start
                }
                '"' => S::Double,
                '\'' => S::Single,
                '\\' => S::Escaping,
                _ => {
                    word.push(c);
                    S::Word
                }
            },
            S::Escaping => {
                word.push(c);
                S::Word
            }
            S::EscapingQuoted => {
                word.push(c);
                S::Double
            }
            S::Double => match c {
                '"' => S::Word,
                '\\' => S::EscapingQuoted,
                _ => {
                    word.push(c);
                    S::Double
                }
            },
            S::Single => match c {
                '\'' => S::Word,
                _ => {
                    word.push(c);
                    S::Single
                }
            },
            S::Comment => {
                if c == '\n' {
                    S::Start
                } else {
                    S::Comment
                }
            }
        };
    }
    match state {
        S::Start | S::Comment => {}
        S::Word => words.push(word),
        S::Escaping | S::EscapingQuoted => return Err("EOF found after escape character".into()),
        S::Double | S::Single => return Err("EOF found when expecting closing quote".into()),
    }
    Ok(words)
}
