//! Image references as the engine reads them, so that `busybox`, `library/busybox` and
//! `docker.io/library/busybox:latest` are known to be one repository.

/// A parsed image reference: registry domain, repository path, tag and digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageName {
    pub domain: String,
    pub path: String,
    pub tag: Option<String>,
    pub digest: Option<String>,
}

/// Docker Hub's name in normalized references.
const HUB: &str = "docker.io";

impl ImageName {
    /// Reads a reference the way Docker normalizes it: a first part with `.` or `:`, or
    /// `localhost`, names a registry; otherwise the image is on Docker Hub, and a one-part
    /// name is an official image under `library/`. Never fails: a malformed reference is the
    /// form validators' business, and reads here as some repository that matches no other.
    pub fn parse(reference: &str) -> ImageName {
        let reference = reference.trim();
        let (name, digest) = match reference.split_once('@') {
            Some((name, digest)) => (name, Some(digest.to_string())),
            None => (reference, None),
        };
        let last_slash = name.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name[last_slash..].rfind(':') {
            Some(i) => (
                &name[..last_slash + i],
                Some(name[last_slash + i + 1..].to_string()),
            ),
            None => (name, None),
        };
        let (domain, path) = match name.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_string(), rest.to_string())
            }
            _ => (HUB.to_string(), name.to_string()),
        };
        let domain = if domain == "index.docker.io" {
            HUB.to_string()
        } else {
            domain
        };
        let path = if domain == HUB && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        ImageName {
            domain,
            path,
            tag,
            digest,
        }
    }

    /// `domain/path`: what stays the same when only the tag or digest changes.
    pub fn repository(&self) -> String {
        format!("{}/{}", self.domain, self.path)
    }

    /// The whole normalized reference, as allow-list prefixes are matched against.
    pub fn full(&self) -> String {
        let mut full = self.repository();
        if let Some(tag) = &self.tag {
            full.push(':');
            full.push_str(tag);
        }
        if let Some(digest) = &self.digest {
            full.push('@');
            full.push_str(digest);
        }
        full
    }

    /// Whether two references name the same repository (tags and digests aside).
    pub fn same_repository(a: &str, b: &str) -> bool {
        ImageName::parse(a).repository() == ImageName::parse(b).repository()
    }
}
