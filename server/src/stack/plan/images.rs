//! Images as the docker CLI sends them in a stack deploy (`--resolve-image`):
//! - the Go client always tags an untagged, undigested image `:latest` (`nginx` ->
//!   `nginx:latest`), in its familiar form;
//! - `always` (and `changed` when the image differs from the service's `com.docker.stack.image`
//!   label, or the service is new) asks the engine's distribution endpoint and pins
//!   `image:tag@sha256:...`, with the platforms the image has as placement platforms; when
//!   the engine cannot tell, it warns and keeps the tag;
//! - otherwise an image equal to the label keeps the live service's image (pinned earlier).
//!
//! Pure: the answers come in from the Docker side.

use super::Live;
use crate::docker::spec::image_of;
use crate::stack::{Desired, IMAGE_LABEL};
use bollard::models as m;
use flotilla_app::policy::ImageName;
use flotilla_app::stacks::ResolveImage;
use std::collections::BTreeMap;

/// What the distribution endpoint said about an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub digest: String,
    /// (os, architecture) as the image's manifest lists them.
    pub platforms: Vec<(String, String)>,
}

/// Whether `image` reads as a reference the Go parser would take (lower-case repository,
/// a sane tag); others are sent as written, as the client does when parsing fails.
fn parses(name: &ImageName) -> bool {
    let path_ok = !name.path.is_empty()
        && name.path.split('/').all(|part| {
            !part.is_empty()
                && part.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                && part.chars().all(|c| {
                    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
                })
        });
    let tag_ok = name.tag.as_deref().is_none_or(|t| {
        !t.is_empty()
            && t.len() <= 128
            && !t.starts_with(['.', '-'])
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    });
    path_ok && tag_ok && !name.domain.is_empty()
}

/// `reference.FamiliarString`: Docker Hub's domain and `library/` left out.
fn familiar(name: &ImageName) -> String {
    let mut text = match name.domain.as_str() {
        "docker.io" => match name.path.strip_prefix("library/") {
            Some(rest) if !rest.contains('/') => rest.to_string(),
            _ => name.path.clone(),
        },
        domain => format!("{domain}/{}", name.path),
    };
    if let Some(tag) = &name.tag {
        text.push(':');
        text.push_str(tag);
    }
    if let Some(digest) = &name.digest {
        text.push('@');
        text.push_str(digest);
    }
    text
}

/// The client's `imageWithTagString`: `:latest` added when there is neither tag nor digest.
pub fn tagged(image: &str) -> String {
    let mut name = ImageName::parse(image);
    if !parses(&name) {
        return image.to_string();
    }
    if name.tag.is_none() && name.digest.is_none() {
        name.tag = Some("latest".into());
    }
    familiar(&name)
}

/// The client's `imageWithDigestString`: the digest added unless there is one already.
pub fn pinned(image: &str, digest: &str) -> String {
    let mut name = ImageName::parse(image);
    if !parses(&name) || name.digest.is_some() {
        return image.to_string();
    }
    name.digest = Some(digest.to_string());
    familiar(&name)
}

/// The CLI's warning when the engine could not tell an image's digest.
pub fn digest_warning(image: &str) -> String {
    format!(
        "image {image} could not be accessed on a registry to record\nits digest. Each node will access {image} independently,\npossibly leading to different nodes running different\nversions of the image.\n"
    )
}

/// Whether the engine is asked about this service's image; else, the live image to keep.
fn decide<'a>(
    spec: &m::ServiceSpec,
    live: &'a Live,
    mode: ResolveImage,
) -> (bool, Option<&'a str>) {
    let name = super::service_name(spec);
    let Some(current) = live.services.get(name) else {
        return (mode != ResolveImage::Never, None);
    };
    // The image as written in the file: the CLI compares it, before the client tags it,
    // with the label the last deploy left; the label of our own spec holds it as written.
    let label = |spec: &m::ServiceSpec| spec.labels.as_ref()?.get(IMAGE_LABEL).cloned();
    let written = label(spec).or_else(|| image_of(spec).map(str::to_string));
    let unchanged = written.is_some() && label(&current.spec) == written;
    match mode {
        ResolveImage::Always => (true, None),
        _ if unchanged => (false, image_of(&current.spec)),
        ResolveImage::Changed => (true, None),
        ResolveImage::Never => (false, None),
    }
}

/// The images to ask the engine about, tagged as they will be asked, each once.
pub fn queries(desired: &Desired, live: &Live, mode: ResolveImage) -> Vec<String> {
    let mut out: Vec<String> = desired
        .services
        .iter()
        .filter(|spec| decide(spec, live, mode).0)
        .filter_map(|spec| image_of(spec).map(tagged))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Sets every service's image as the CLI would send it, given the engine's answers to
/// [`queries`] (None: it could not tell). Returns the warnings, one per image not pinned.
pub fn pin(
    desired: &mut Desired,
    live: &Live,
    mode: ResolveImage,
    answers: &BTreeMap<String, Option<Resolved>>,
) -> Vec<String> {
    let mut warnings = Vec::new();
    for spec in &mut desired.services {
        let (ask, keep) = decide(spec, live, mode);
        let keep = keep.map(str::to_string);
        let Some(task) = spec.task_template.as_mut() else {
            continue;
        };
        let Some(container) = task.container_spec.as_mut() else {
            continue;
        };
        let Some(image) = keep.or_else(|| container.image.clone()) else {
            continue;
        };
        let image = tagged(&image);
        container.image = Some(image.clone());
        if !ask {
            continue;
        }
        match answers.get(&image) {
            Some(Some(resolved)) => {
                container.image = Some(pinned(&image, &resolved.digest));
                let platforms = platforms(&resolved.platforms);
                if !platforms.is_empty() {
                    task.placement.get_or_insert_default().platforms = Some(platforms);
                }
            }
            _ => {
                let warning = digest_warning(&image);
                if !warnings.contains(&warning) {
                    warnings.push(warning);
                }
            }
        }
    }
    warnings
}

/// As the client lists them: attestation entries ("unknown") skipped, `arm`'s architecture
/// cleared (nodes report armv7l; swarmkit#2294), duplicates dropped.
fn platforms(found: &[(String, String)]) -> Vec<m::Platform> {
    let mut out: Vec<m::Platform> = Vec::new();
    for (os, arch) in found {
        if os == "unknown" || arch == "unknown" {
            continue;
        }
        let arch = if arch.eq_ignore_ascii_case("arm") {
            String::new()
        } else {
            arch.clone()
        };
        let platform = m::Platform {
            architecture: Some(arch),
            os: Some(os.clone()),
        };
        if !out.contains(&platform) {
            out.push(platform);
        }
    }
    out
}
