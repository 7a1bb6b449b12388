//! The last deployed upload of each stack deployed from the panel, so that "Edit and
//! redeploy" starts from it and an unchanged redeploy previews as "no changes". One JSON file
//! per stack in a directory only the panel's user may read (the upload holds secret files and
//! variables); a browser gets back the compose files and variables, never the other files'
//! contents.

use flotilla_app::stacks::{DeployRequest, UploadedFile};
use std::path::PathBuf;

pub struct StackStore {
    dir: PathBuf,
}

#[derive(Debug, thiserror::Error)]
#[error("the stack store {path}: {source}")]
pub struct StoreError {
    path: String,
    #[source]
    source: std::io::Error,
}

impl StackStore {
    pub fn new(dir: PathBuf) -> StackStore {
        StackStore { dir }
    }

    /// `name` has been checked as a stack name: it is a plain file name.
    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.json"))
    }

    pub async fn load(&self, name: &str) -> Option<DeployRequest> {
        let text = tokio::fs::read(self.path(name)).await.ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// Written whole to a temporary file, then renamed: a crash leaves the old one or the new.
    pub async fn save(&self, request: &DeployRequest) -> Result<(), StoreError> {
        let path = self.path(&request.stack);
        let wrap = |source| StoreError {
            path: path.display().to_string(),
            source,
        };
        create_private_dir(&self.dir).await.map_err(wrap)?;
        let text = serde_json::to_vec(request).map_err(|e| wrap(std::io::Error::other(e)))?;
        let temporary = path.with_extension("json.new");
        write_private(&temporary, &text).await.map_err(wrap)?;
        tokio::fs::rename(&temporary, &path).await.map_err(wrap)
    }

    pub async fn forget(&self, name: &str) {
        let _ = tokio::fs::remove_file(self.path(name)).await;
    }
}

async fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    let mut builder = tokio::fs::DirBuilder::new();
    builder.recursive(true).mode(0o700);
    builder.create(dir).await
}

async fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .await?;
    file.write_all(bytes).await?;
    file.flush().await?;
    file.sync_all().await
}

/// What a browser gets back of a stored upload: the other files by name only (their text is
/// kept here, and an empty text in a redeploy means "the stored one").
pub fn without_file_contents(mut request: DeployRequest) -> DeployRequest {
    for file in &mut request.files {
        file.text.clear();
    }
    request
}

/// The upload with every empty file filled from the stored one of the same name.
pub fn with_stored_files(
    mut request: DeployRequest,
    stored: Option<&DeployRequest>,
) -> DeployRequest {
    let Some(stored) = stored else {
        return request;
    };
    // By the path each name stands for: `./a.txt` and `a.txt` are one file.
    let path = |name: &str| crate::stack::bundle::inside(name);
    for file in request.files.iter_mut().filter(|f| f.text.is_empty()) {
        let Some(wanted) = path(&file.name) else {
            continue;
        };
        let kept = stored
            .files
            .iter()
            .find(|s| path(&s.name).as_ref() == Some(&wanted));
        if let Some(UploadedFile { text, .. }) = kept {
            file.text = text.clone();
        }
    }
    request
}
