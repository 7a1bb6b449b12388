//! A typed compose model -> the swarm objects of a stack (placeholder: being written).

use super::{Desired, Files};

#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error("{0}")]
    Invalid(String),
}

pub fn convert(
    namespace: &str,
    config: &compose::model::Config,
    files: &Files,
) -> Result<Desired, ConvertError> {
    let _ = (namespace, config, files);
    Err(ConvertError::Invalid("stack conversion is not written yet".into()))
}
