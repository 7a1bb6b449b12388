//! Who a page is for, and what that page loads. A viewer (nobody logged in, a viewer role, a
//! kiosk screen) gets the grid and the tables, written as HTML (`crate::html`), and a small
//! WebAssembly bundle without Leptos that keeps them live (`crate::viewer`, feature
//! `viewer`); a session that may change things gets the Leptos page with the control UI, in
//! a bundle of its own (feature `hydrate`). Both bundles are this crate.

/// The two audiences, one bundle each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    Viewer,
    Control,
}

impl Audience {
    pub const ALL: [Audience; 2] = [Audience::Viewer, Audience::Control];

    /// The bundle's name in the front end's manifest (see `Assets`) and in
    /// scripts/build-front.sh, which builds one bundle per name.
    pub fn bundle(self) -> &'static str {
        match self {
            Audience::Viewer => "view",
            Audience::Control => "control",
        }
    }
}

/// What the server tells the app about the request it renders, as context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub audience: Audience,
    /// The request's path, e.g. "/".
    pub path: String,
    /// The query string, without "?".
    pub query: String,
    /// The front end's files as built (see `Assets`).
    pub assets: Assets,
}

/// The front end's file names under /pkg as scripts/build-front.sh wrote them in
/// `pkg/manifest.txt`: each name carries a hash of its content, so the server can let
/// browsers cache them for a year and a new build is never mixed with an old one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assets {
    /// Per audience (indexed as [`Audience::ALL`]): the stem wasm-bindgen wrote,
    /// `<stem>.js` and `<stem>_bg.wasm`.
    pub bundles: [String; 2],
    pub css: String,
}

/// The manifest's name under the site's pkg directory.
pub const MANIFEST: &str = "manifest.txt";

impl Assets {
    /// Reads the manifest's `key=value` lines: one per bundle name, and `css`. Unknown keys
    /// are an error, so a manifest from another version is not half understood.
    pub fn parse(text: &str) -> Result<Assets, String> {
        let mut bundles: [Option<String>; 2] = [None, None];
        let mut css = None;
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let (key, value) = line
                .split_once('=')
                .ok_or_else(|| format!("not key=value: {line:?}"))?;
            let value = value.trim();
            let plain = |c: char| c.is_ascii_alphanumeric() || "-_.".contains(c);
            if value.is_empty() || !value.chars().all(plain) || value.starts_with('.') {
                return Err(format!("{key}: not a plain file name: {value:?}"));
            }
            match Audience::ALL.iter().position(|a| a.bundle() == key.trim()) {
                Some(i) => bundles[i] = Some(value.to_string()),
                None if key.trim() == "css" => css = Some(value.to_string()),
                None => return Err(format!("unknown key {key:?}")),
            }
        }
        let missing = |what: &str| format!("no {what} line");
        let [viewer, control] = bundles;
        Ok(Assets {
            bundles: [
                viewer.ok_or_else(|| missing(Audience::Viewer.bundle()))?,
                control.ok_or_else(|| missing(Audience::Control.bundle()))?,
            ],
            css: css.ok_or_else(|| missing("css"))?,
        })
    }

    pub fn bundle(&self, audience: Audience) -> &str {
        let i = Audience::ALL.iter().position(|a| *a == audience);
        &self.bundles[i.unwrap_or(0)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests() {
        let good =
            "view=flotilla-view.1a2b\ncontrol=flotilla-control.3c4d\ncss=flotilla.5e6f.css\n";
        let assets = Assets::parse(good).expect("a whole manifest");
        assert_eq!(assets.bundle(Audience::Viewer), "flotilla-view.1a2b");
        assert_eq!(assets.bundle(Audience::Control), "flotilla-control.3c4d");
        assert_eq!(assets.css, "flotilla.5e6f.css");
        let refused = [
            ("", "no view line"),
            ("view=a\ncss=c", "no control line"),
            ("view=a\ncontrol=b", "no css line"),
            ("view=a\ncontrol=b\ncss=c\nextra=d", "unknown key"),
            ("view=../etc\ncontrol=b\ncss=c", "not a plain file name"),
            ("view=a b\ncontrol=b\ncss=c", "not a plain file name"),
            ("view\ncontrol=b\ncss=c", "not key=value"),
        ];
        for (text, why) in refused {
            let error = Assets::parse(text).expect_err(text);
            assert!(error.contains(why), "{text:?}: {error}");
        }
    }
}
