//! Images for the lab: pull where a registry answers, import a root filesystem where none
//! does, tag and push to the lab registry.

use super::{Context, DockerError, Engine, Result};
use bollard::query_parameters::{CreateImageOptions, PushImageOptions, TagImageOptions};
use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt};
use std::time::Duration;

/// Where an image came from, for progress lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageSource {
    Cached,
    Pulled,
    Built,
}

impl Engine {
    pub async fn image_exists(&self, name: &str) -> Result<bool> {
        match self.docker.inspect_image(name).await {
            Ok(_) => Ok(true),
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            }) => Ok(false),
            Err(e) => Err(e).context(|| format!("inspecting image {name}")),
        }
    }

    /// `docker pull`, giving up after `limit` (a host with no registry access fails fast,
    /// one behind a slow proxy should not hang the lab).
    pub async fn pull(&self, image: &str, limit: Duration) -> Result<()> {
        let options = CreateImageOptions {
            from_image: Some(image.to_string()),
            ..Default::default()
        };
        let pulling = self
            .docker
            .create_image(Some(options), None, None)
            .try_for_each(|_| async { Ok(()) });
        match tokio::time::timeout(limit, pulling).await {
            Ok(done) => done.context(|| format!("pulling {image}")),
            Err(_) => Err(DockerError::Other(format!(
                "pulling {image}: no answer within {limit:?}"
            ))),
        }
    }

    /// `docker import -c <change>... - <reference>`: makes an image from a root-filesystem
    /// tar stream.
    pub async fn import_rootfs(
        &self,
        rootfs: impl Stream<Item = Bytes> + Send + 'static,
        reference: &str,
        changes: Vec<String>,
    ) -> Result<()> {
        let (repo, tag) = split_reference(reference);
        let options = CreateImageOptions {
            from_src: Some("-".into()),
            repo: Some(repo.to_string()),
            tag: Some(tag.to_string()),
            changes,
            ..Default::default()
        };
        self.docker
            .create_image(Some(options), Some(bollard::body_stream(rootfs)), None)
            .try_for_each(|_| async { Ok(()) })
            .await
            .context(|| format!("importing image {reference}"))
    }

    /// `docker tag <source> <target>`.
    pub async fn tag(&self, source: &str, target: &str) -> Result<()> {
        let (repo, tag) = split_reference(target);
        let options = TagImageOptions {
            repo: Some(repo.to_string()),
            tag: Some(tag.to_string()),
        };
        self.docker
            .tag_image(source, Some(options))
            .await
            .context(|| format!("tagging {source} as {target}"))
    }

    /// `docker push <reference>`; the registry is expected to need no credentials.
    pub async fn push(&self, reference: &str) -> Result<()> {
        let (repo, tag) = split_reference(reference);
        let options = PushImageOptions {
            tag: Some(tag.to_string()),
            ..Default::default()
        };
        let mut progress = self.docker.push_image(repo, Some(options), None).boxed();
        while let Some(step) = progress.next().await {
            step.context(|| format!("pushing {reference}"))?;
        }
        Ok(())
    }
}

/// "host:5000/a/b:tag" -> ("host:5000/a/b", "tag"); no tag means "latest". A colon before
/// the last slash belongs to a registry port, not a tag.
pub fn split_reference(reference: &str) -> (&str, &str) {
    match reference.rfind(':') {
        Some(i) if !reference[i..].contains('/') => (&reference[..i], &reference[i + 1..]),
        _ => (reference, "latest"),
    }
}

#[cfg(test)]
mod tests {
    use super::split_reference;

    #[test]
    fn splits_references_like_the_cli() {
        let cases = [
            ("echo", ("echo", "latest")),
            ("echo:1.2", ("echo", "1.2")),
            (
                "localhost:5000/example/echo",
                ("localhost:5000/example/echo", "latest"),
            ),
            (
                "localhost:5000/example/echo:latest",
                ("localhost:5000/example/echo", "latest"),
            ),
            (
                "flotilla-lab/node:bookworm-1",
                ("flotilla-lab/node", "bookworm-1"),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(split_reference(input), expected, "{input}");
        }
    }
}
