//! Who may do what. Tokens come from the environment or files (never only the command line,
//! where `ps` shows them); logging in with one sets a signed, HttpOnly, SameSite=Strict
//! session cookie. Sessions are not held in memory: the signature (with a key kept in a file
//! or given as a secret) is the proof, so they survive a restart and any panel replica with
//! the same key accepts them. A logout is remembered until the session would have expired.

use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, Key, SameSite, SignedCookieJar};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use subtle::ConstantTimeEq;

pub use flotilla_app::api::Role;

const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// A wall screen's session lasts as long as browsers keep a cookie (400 days); revoking its
/// kiosk link is what ends it.
const KIOSK_LIFETIME: Duration = Duration::from_secs(400 * 24 * 3600);
/// Logged-out sessions remembered at once; past it the soonest to expire are forgotten.
const MAX_REVOKED: usize = 10_000;
/// Tokens shorter than this are refused at start: long enough that guessing is hopeless
/// even without the login limit.
pub const MIN_TOKEN_LEN: usize = 32;

/// A checked session: its role, and an id that names it in the audit log and in a logout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub role: Role,
    pub id: String,
    /// The kiosk link a wall screen's session came from: valid only while the link is.
    pub kiosk: Option<String>,
    expires: u64,
}

pub struct Auth {
    tokens: Vec<(String, Role)>,
    key: Key,
    /// Served over https (by `--public-url`): cookies are `Secure` and `__Host-` prefixed.
    secure: bool,
    /// Session id -> when it would have expired (Unix seconds).
    revoked: Mutex<HashMap<String, u64>>,
    /// Where logouts are kept, so a restart does not bring a logged-out session back.
    revoked_file: Option<std::path::PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    #[error("{name} must be at least {MIN_TOKEN_LEN} characters")]
    TooShort { name: String },
    #[error("{name}_FILE={path}: {source}")]
    Unreadable {
        name: String,
        path: String,
        source: std::io::Error,
    },
    #[error("the admin, operator and viewer tokens must all differ")]
    SameToken,
    #[error("session key {path}: {problem}")]
    Key { path: String, problem: String },
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `n` random bytes from the OS, hex.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).expect("the OS random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A token from `NAME` or the file named by `NAME_FILE`, trimmed; short tokens refused.
pub fn token_from_env(name: &str) -> Result<Option<String>, CredentialError> {
    let token = match (std::env::var(name), std::env::var(format!("{name}_FILE"))) {
        (Ok(token), _) => token,
        (Err(_), Ok(path)) => {
            std::fs::read_to_string(&path).map_err(|source| CredentialError::Unreadable {
                name: name.into(),
                path,
                source,
            })?
        }
        _ => return Ok(None),
    };
    let token = token.trim().to_string();
    if token.chars().count() < MIN_TOKEN_LEN {
        return Err(CredentialError::TooShort { name: name.into() });
    }
    Ok(Some(token))
}

/// The key sessions are signed with, from `path`: a given file (a swarm secret, shared by
/// replicas) must exist; the default one is made (random, mode 600) when missing, so
/// sessions survive a restart.
pub fn session_key(path: &Path, given: bool) -> Result<Key, CredentialError> {
    let problem = |problem: String| CredentialError::Key {
        path: path.display().to_string(),
        problem,
    };
    if !given && !path.exists() {
        // Written aside and linked into place: panels starting together agree on one key.
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let aside = path.with_extension(format!("new-{}", random_hex(4)));
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&aside)
            .map_err(|e| problem(e.to_string()))?;
        file.write_all(random_hex(64).as_bytes())
            .map_err(|e| problem(e.to_string()))?;
        let linked = std::fs::hard_link(&aside, path);
        let _ = std::fs::remove_file(&aside);
        match linked {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                return Err(problem(e.to_string()));
            }
            _ => {}
        }
    }
    let secret = std::fs::read(path).map_err(|e| problem(e.to_string()))?;
    let secret = secret.trim_ascii();
    if secret.len() < 32 {
        return Err(problem("must hold at least 32 bytes".into()));
    }
    Ok(Key::derive_from(secret))
}

/// `name=value` of the Set-Cookie a jar makes, as a browser sends it back (for tests).
#[cfg(test)]
pub fn cookie_pair(jar: &SignedCookieJar) -> String {
    use axum::response::IntoResponse;
    jar.clone()
        .into_response()
        .headers()
        .get(axum::http::header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .to_string()
}

impl Auth {
    /// Refuses tokens that equal one another: a role must be told apart by its token.
    pub fn new(
        admin: Option<String>,
        operator: Option<String>,
        viewer: Option<String>,
        key: Key,
        secure: bool,
    ) -> Result<Auth, CredentialError> {
        let tokens: Vec<(String, Role)> = [
            (admin, Role::Admin),
            (operator, Role::Operator),
            (viewer, Role::Viewer),
        ]
        .into_iter()
        .filter_map(|(t, role)| t.map(|t| (t, role)))
        .collect();
        for (i, (a, _)) in tokens.iter().enumerate() {
            if tokens[i + 1..].iter().any(|(b, _)| a == b) {
                return Err(CredentialError::SameToken);
            }
        }
        Ok(Auth {
            tokens,
            key,
            secure,
            revoked: Mutex::default(),
            revoked_file: None,
        })
    }

    /// Keeps logouts in `path` (a line `id expires` each), reading those still in force.
    pub fn remember_logouts(mut self, path: std::path::PathBuf) -> Result<Auth, CredentialError> {
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return Err(CredentialError::Key {
                    path: path.display().to_string(),
                    problem: e.to_string(),
                });
            }
        };
        let now = now_secs();
        let mut revoked = self.revoked.lock().unwrap_or_else(PoisonError::into_inner);
        for line in text.lines() {
            if let Some((id, expires)) = line.split_once(' ')
                && let Ok(expires) = expires.parse::<u64>()
                && expires > now
            {
                revoked.insert(id.to_string(), expires);
            }
        }
        drop(revoked);
        self.revoked_file = Some(path);
        Ok(self)
    }

    /// Control needs an admin or operator token; a viewer token alone does not enable it.
    pub fn control_enabled(&self) -> bool {
        self.tokens.iter().any(|(_, role)| *role >= Role::Operator)
    }

    /// Whether any token is set: without one there is nobody to log in.
    pub fn any_token(&self) -> bool {
        !self.tokens.is_empty()
    }

    /// The role a token grants. Every token is compared in full, so neither which token
    /// matched nor how much of it did shows in the time taken.
    pub fn role_of(&self, token: &str) -> Option<Role> {
        let mut found = None;
        for (t, role) in &self.tokens {
            if bool::from(t.as_bytes().ct_eq(token.as_bytes())) {
                found = Some(*role);
            }
        }
        found
    }

    pub fn cookie_name(&self) -> &'static str {
        if self.secure {
            "__Host-flotilla_session"
        } else {
            "flotilla_session"
        }
    }

    fn cookie(&self, value: String, max_age: Duration) -> Cookie<'static> {
        Cookie::build((self.cookie_name(), value))
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(self.secure)
            .path("/")
            .max_age(max_age.try_into().unwrap_or_default())
            .build()
    }

    /// A new session for `role`, as the signed cookie that carries it.
    pub fn issue(&self, role: Role) -> (Session, SignedCookieJar) {
        self.issue_for(role, None, SESSION_LIFETIME)
    }

    /// A wall screen's viewer session, tied to its kiosk link.
    pub fn issue_kiosk(&self, kiosk: &str) -> (Session, SignedCookieJar) {
        self.issue_for(Role::Viewer, Some(kiosk.to_string()), KIOSK_LIFETIME)
    }

    fn issue_for(
        &self,
        role: Role,
        kiosk: Option<String>,
        lifetime: Duration,
    ) -> (Session, SignedCookieJar) {
        let session = Session {
            role,
            id: random_hex(16),
            expires: now_secs() + lifetime.as_secs(),
            kiosk,
        };
        let mut value = format!("{}.{}.{}", role.label(), session.expires, session.id);
        if let Some(kiosk) = &session.kiosk {
            value.push('.');
            value.push_str(kiosk);
        }
        let jar = SignedCookieJar::new(self.key.clone()).add(self.cookie(value, lifetime));
        (session, jar)
    }

    /// The cookie that ends a session in the browser.
    pub fn removal(&self) -> SignedCookieJar {
        SignedCookieJar::new(self.key.clone()).add(self.cookie(String::new(), Duration::ZERO))
    }

    /// The live session a request carries, if its signature holds, it has not expired and
    /// it was not logged out.
    pub fn session(&self, headers: &HeaderMap) -> Option<Session> {
        let jar = SignedCookieJar::from_headers(headers, self.key.clone());
        let value = jar.get(self.cookie_name())?;
        let mut parts = value.value().splitn(4, '.');
        let role = match parts.next()? {
            "admin" => Role::Admin,
            "operator" => Role::Operator,
            "viewer" => Role::Viewer,
            _ => return None,
        };
        let expires: u64 = parts.next()?.parse().ok()?;
        let id = parts.next()?.to_string();
        let kiosk = parts.next().map(String::from);
        let revoked = self.revoked.lock().unwrap_or_else(PoisonError::into_inner);
        (expires > now_secs() && !revoked.contains_key(&id)).then_some(Session {
            role,
            id,
            kiosk,
            expires,
        })
    }

    /// Whether a session read earlier still holds: not expired, not logged out. (A kiosk
    /// session's link is the caller's to check.)
    pub fn is_live(&self, session: &Session) -> bool {
        let revoked = self.revoked.lock().unwrap_or_else(PoisonError::into_inner);
        session.expires > now_secs() && !revoked.contains_key(&session.id)
    }

    pub async fn logout(&self, session: &Session) {
        {
            let mut revoked = self.revoked.lock().unwrap_or_else(PoisonError::into_inner);
            let now = now_secs();
            revoked.retain(|_, expires| *expires > now);
            if revoked.len() >= MAX_REVOKED {
                let soonest = revoked
                    .iter()
                    .min_by_key(|(_, e)| **e)
                    .map(|(k, _)| k.clone());
                soonest.map(|k| revoked.remove(&k));
            }
            revoked.insert(session.id.clone(), session.expires);
        }
        if let Some(path) = &self.revoked_file {
            let line = format!("{} {}\n", session.id, session.expires);
            let appended = async {
                let mut file = tokio::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .await?;
                tokio::io::AsyncWriteExt::write_all(&mut file, line.as_bytes()).await?;
                // tokio's files write in the background: done only once flushed.
                tokio::io::AsyncWriteExt::flush(&mut file).await
            };
            if let Err(e) = appended.await {
                tracing::error!(error = %e, "a logout was not saved: it lasts until a restart");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADMIN: &str = "admin-token-0123456789-0123456789";
    const OPERATOR: &str = "operator-token-0123456789-012345";

    fn auth(secure: bool) -> Auth {
        let key = Key::derive_from(&[7u8; 32]);
        Auth::new(Some(ADMIN.into()), Some(OPERATOR.into()), None, key, secure).expect("auth")
    }

    /// The Cookie header a browser would send back for the Set-Cookie `jar` makes.
    fn cookie_header(jar: &SignedCookieJar) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            axum::http::header::COOKIE,
            cookie_pair(jar).parse().unwrap(),
        );
        headers
    }

    #[test]
    fn tokens_map_to_roles() {
        let auth = auth(false);
        assert_eq!(auth.role_of(ADMIN), Some(Role::Admin));
        assert_eq!(auth.role_of(OPERATOR), Some(Role::Operator));
        assert_eq!(
            auth.role_of(&ADMIN[..ADMIN.len() - 1]),
            None,
            "a prefix is not the token"
        );
        assert_eq!(auth.role_of("wrong"), None);
        let key = || Key::derive_from(&[7u8; 32]);
        assert!(matches!(
            Auth::new(Some(ADMIN.into()), Some(ADMIN.into()), None, key(), false),
            Err(CredentialError::SameToken)
        ));
        let viewer_only = Auth::new(None, None, Some(ADMIN.into()), key(), false).unwrap();
        assert!(!viewer_only.control_enabled());
    }

    #[tokio::test]
    async fn sessions_are_signed_and_can_be_ended() {
        let auth = auth(false);
        let (session, jar) = auth.issue(Role::Operator);
        let headers = cookie_header(&jar);
        assert_eq!(auth.session(&headers), Some(session.clone()));
        // Another panel with the same key accepts it (a restart, a replica).
        let again = Auth::new(
            None,
            Some(OPERATOR.into()),
            None,
            Key::derive_from(&[7u8; 32]),
            false,
        )
        .unwrap();
        assert_eq!(
            again.session(&headers).map(|s| s.role),
            Some(Role::Operator)
        );
        // A different key, or a value changed by hand, is not a session.
        let other = Auth::new(None, None, None, Key::derive_from(&[8u8; 32]), false).unwrap();
        assert_eq!(other.session(&headers), None);
        let forged = HeaderMap::from_iter([(
            axum::http::header::COOKIE,
            format!("flotilla_session=admin.{}.{}", u64::MAX, session.id)
                .parse()
                .unwrap(),
        )]);
        assert_eq!(auth.session(&forged), None);
        let logouts = std::env::temp_dir().join(format!("flotilla-logouts-{}", std::process::id()));
        let _ = std::fs::remove_file(&logouts);
        let auth = auth.remember_logouts(logouts.clone()).expect("logouts");
        auth.logout(&session).await;
        assert_eq!(auth.session(&headers), None);
        // The logout outlives a restart: a new panel with the same key and file refuses it.
        let restarted = Auth::new(
            None,
            Some(OPERATOR.into()),
            None,
            Key::derive_from(&[7u8; 32]),
            false,
        )
        .unwrap()
        .remember_logouts(logouts.clone())
        .expect("logouts");
        assert_eq!(restarted.session(&headers), None);
        let _ = std::fs::remove_file(logouts);
    }

    #[test]
    fn cookies_are_http_only_strict_and_secure_over_https() {
        for (secure, name) in [
            (false, "flotilla_session"),
            (true, "__Host-flotilla_session"),
        ] {
            let auth = auth(secure);
            let (_, jar) = auth.issue(Role::Admin);
            let cookie = jar.get(name).expect("named cookie");
            assert_eq!(cookie.http_only(), Some(true));
            assert_eq!(cookie.same_site(), Some(SameSite::Strict));
            assert_eq!(cookie.secure().unwrap_or(false), secure, "{name}");
            assert_eq!(cookie.path(), Some("/"));
        }
    }
}
