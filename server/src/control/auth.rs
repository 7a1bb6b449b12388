//! Who may change the cluster. With no credential configured the panel is read-only. Tokens
//! come from the environment or files (never only the command line, where `ps` shows them);
//! logging in with one sets an HttpOnly, SameSite=Strict session cookie.

use std::collections::HashMap;
use std::io::Read;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub use flotilla_app::api::Role;

pub const SESSION_COOKIE: &str = "flotilla_session";
const SESSION_LIFETIME: Duration = Duration::from_secs(12 * 3600);
const MAX_SESSIONS: usize = 1024;

#[derive(Default)]
pub struct Auth {
    tokens: Vec<(String, Role)>,
    sessions: Mutex<HashMap<String, (Role, Instant)>>,
}

/// Compares without stopping at the first differing byte, so timing reveals nothing.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// 32 random bytes from the OS, hex.
fn random_id() -> std::io::Result<String> {
    let mut bytes = [0u8; 32];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// A token from `NAME` or the file named by `NAME_FILE`, trimmed; too-short tokens refused.
pub fn token_from_env(name: &str) -> Result<Option<String>, String> {
    let token = match (std::env::var(name), std::env::var(format!("{name}_FILE"))) {
        (Ok(token), _) => token,
        (Err(_), Ok(path)) => {
            std::fs::read_to_string(&path).map_err(|e| format!("{name}_FILE={path}: {e}"))?
        }
        _ => return Ok(None),
    };
    let token = token.trim().to_string();
    if token.len() < 16 {
        return Err(format!("{name} must be at least 16 characters"));
    }
    Ok(Some(token))
}

impl Auth {
    pub fn new(admin: Option<String>, operator: Option<String>) -> Auth {
        let tokens = [(admin, Role::Admin), (operator, Role::Operator)]
            .into_iter()
            .filter_map(|(t, role)| t.map(|t| (t, role)))
            .collect();
        Auth {
            tokens,
            sessions: Mutex::default(),
        }
    }

    pub fn control_enabled(&self) -> bool {
        !self.tokens.is_empty()
    }

    /// A new session for a valid token.
    pub fn login(&self, token: &str) -> Option<(String, Role)> {
        let role = self
            .tokens
            .iter()
            .find(|(t, _)| same(t.as_bytes(), token.as_bytes()))?
            .1;
        let id = random_id().ok()?;
        let mut sessions = self.sessions.lock().expect("sessions lock");
        sessions.retain(|_, (_, at)| at.elapsed() < SESSION_LIFETIME);
        if sessions.len() >= MAX_SESSIONS {
            let oldest = sessions
                .iter()
                .min_by_key(|(_, (_, at))| *at)
                .map(|(k, _)| k.clone());
            oldest.map(|k| sessions.remove(&k));
        }
        sessions.insert(id.clone(), (role, Instant::now()));
        Some((id, role))
    }

    pub fn logout(&self, session: &str) {
        self.sessions.lock().expect("sessions lock").remove(session);
    }

    /// The role of a live session.
    pub fn session_role(&self, session: &str) -> Option<Role> {
        let sessions = self.sessions.lock().expect("sessions lock");
        sessions
            .get(session)
            .filter(|(_, at)| at.elapsed() < SESSION_LIFETIME)
            .map(|(role, _)| *role)
    }
}

/// The session id in a Cookie header.
pub fn session_from_cookies(cookie_header: &str) -> Option<&str> {
    cookie_header
        .split(';')
        .filter_map(|c| c.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value)
        .filter(|v| !v.is_empty())
}

pub fn session_cookie(id: &str) -> String {
    format!(
        "{SESSION_COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}",
        SESSION_LIFETIME.as_secs()
    )
}

pub fn expired_cookie() -> String {
    format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_map_to_roles_and_sessions() {
        let auth = Auth::new(
            Some("admin-token-0123456789".into()),
            Some("operator-token-0123456".into()),
        );
        assert!(auth.login("wrong").is_none());
        assert!(
            auth.login("admin-token-012345678").is_none(),
            "a prefix is not the token"
        );
        let (id, role) = auth.login("admin-token-0123456789").expect("admin");
        assert_eq!(role, Role::Admin);
        assert_eq!(id.len(), 64);
        assert_eq!(auth.session_role(&id), Some(Role::Admin));
        assert_eq!(
            auth.login("operator-token-0123456").expect("operator").1,
            Role::Operator
        );
        auth.logout(&id);
        assert_eq!(auth.session_role(&id), None);
        assert!(!Auth::new(None, None).control_enabled());
    }

    #[test]
    fn cookies() {
        assert_eq!(
            session_from_cookies("a=1; flotilla_session=abc; b=2"),
            Some("abc")
        );
        assert_eq!(session_from_cookies("flotilla_session="), None);
        assert_eq!(session_from_cookies("other=1"), None);
        let cookie = session_cookie("abc");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
    }
}
