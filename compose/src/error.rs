//! One error for every stage of reading a compose file: where (file, line:column when the YAML
//! has one, the key path) and what, so a user can go straight to the fault.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    /// The file as the user named it (`ch03-webapi.yml`, or the upload's name).
    pub file: Option<String>,
    /// 1-based line and column, where the YAML parser knows them.
    pub location: Option<(usize, usize)>,
    /// The key path inside the file, dotted: `services.api.deploy.replicas`.
    pub path: Option<String>,
    pub message: String,
}

impl Error {
    pub fn new(message: impl Into<String>) -> Error {
        Error {
            file: None,
            location: None,
            path: None,
            message: message.into(),
        }
    }

    pub fn at_path(path: impl Into<String>, message: impl Into<String>) -> Error {
        Error {
            path: Some(path.into()),
            ..Error::new(message)
        }
    }

    pub fn in_file(mut self, file: &str) -> Error {
        self.file.get_or_insert_with(|| file.to_string());
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}")?;
            if let Some((line, column)) = self.location {
                write!(f, ":{line}:{column}")?;
            }
            write!(f, ": ")?;
        }
        if let Some(path) = &self.path {
            write!(f, "{path}: ")?;
        }
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;
