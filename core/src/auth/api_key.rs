//! [`ApiKeys`]: long-lived keys sent in a header, stored only as SHA-256 hashes.

use axum::http::HeaderName;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};

use super::{Authenticator, Principal, Rejected};

/// Authenticates requests that carry a key in a header (`X-API-Key` by default).
///
/// Only each key's SHA-256 hash is kept, so a leaked configuration does not leak the
/// keys; the hash of a presented key is compared with every stored one in constant
/// time. Keys should be random, 128 bits or more ([`ApiKeys::hash`] gives the value to
/// store).
///
/// ```
/// use ferrest::auth::{ApiKeys, Principal};
/// let stored = ApiKeys::hash("k3y-from-the-vault");
/// let keys = ApiKeys::new().hashed(&stored, Principal::new("billing").with_roles(["admin"]))?;
/// let app = ferrest::App::new().authenticate(keys);
/// # Ok::<(), ferrest::Error>(())
/// ```
pub struct ApiKeys {
    header: HeaderName,
    keys: Vec<([u8; 32], Principal)>,
}

impl Default for ApiKeys {
    fn default() -> Self {
        ApiKeys::new()
    }
}

impl ApiKeys {
    /// No keys yet, read from `X-API-Key`.
    pub fn new() -> Self {
        ApiKeys {
            header: HeaderName::from_static("x-api-key"),
            keys: Vec::new(),
        }
    }

    /// Reads the key from another header.
    pub fn header(mut self, name: &'static str) -> Self {
        self.header = HeaderName::from_static(name);
        self
    }

    /// The hex SHA-256 of `key`: what configuration stores.
    pub fn hash(key: &str) -> String {
        Sha256::digest(key.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Accepts the key whose [hash](ApiKeys::hash) is `sha256_hex` as `principal`.
    pub fn hashed(mut self, sha256_hex: &str, principal: Principal) -> Result<Self, crate::Error> {
        let bytes = (0..sha256_hex.len())
            .step_by(2)
            .map(|i| {
                sha256_hex
                    .get(i..i + 2)
                    .and_then(|b| u8::from_str_radix(b, 16).ok())
            })
            .collect::<Option<Vec<u8>>>()
            .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
            .ok_or_else(|| {
                crate::Error::Config(format!(
                    "`{sha256_hex}` is not a SHA-256 hash in hex (64 characters)"
                ))
            })?;
        self.keys.push((bytes, principal));
        Ok(self)
    }

    /// Accepts `key` as `principal` (it is hashed right away), for tests and tools.
    pub fn key(self, key: &str, principal: Principal) -> Self {
        self.hashed(&ApiKeys::hash(key), principal)
            .expect("a SHA-256 hash is 64 hex characters")
    }

    /// Reads `FERREST_API_KEYS`: entries separated by `;`, each
    /// `<sha256 hex>:<subject>[:<role>,<role>...]`. `None` when it is unset.
    pub fn from_env() -> Result<Option<Self>, crate::Error> {
        let Some(entries) = std::env::var("FERREST_API_KEYS")
            .ok()
            .filter(|v| !v.is_empty())
        else {
            return Ok(None);
        };
        let mut keys = ApiKeys::new();
        for entry in entries.split(';').map(str::trim).filter(|e| !e.is_empty()) {
            let mut parts = entry.splitn(3, ':');
            let (Some(hash), Some(subject)) = (parts.next(), parts.next()) else {
                return Err(crate::Error::Config(
                    "FERREST_API_KEYS entries read `<sha256 hex>:<subject>[:<role>,...]`".into(),
                ));
            };
            let roles = parts
                .next()
                .map(|r| r.split(',').map(str::trim))
                .into_iter()
                .flatten();
            keys = keys.hashed(
                hash,
                Principal::new(subject).with_roles(roles.filter(|r| !r.is_empty())),
            )?;
        }
        Ok(Some(keys))
    }
}

#[async_trait::async_trait]
impl Authenticator for ApiKeys {
    fn name(&self) -> &str {
        "apiKey"
    }

    fn scheme(&self) -> SecurityScheme {
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new(self.header.as_str())))
    }

    fn challenge(&self) -> String {
        format!(r#"ApiKey realm="api", header="{}""#, self.header)
    }

    async fn authenticate(&self, request: &Parts) -> Result<Option<Principal>, Rejected> {
        self.check(request)
    }

    fn authenticate_now(&self, request: &Parts) -> Option<Result<Option<Principal>, Rejected>> {
        Some(self.check(request))
    }
}

impl ApiKeys {
    /// The principal of the request's key; a lookup in memory.
    fn check(&self, request: &Parts) -> Result<Option<Principal>, Rejected> {
        let mut values = request.headers.get_all(&self.header).iter();
        let Some(presented) = values.next() else {
            return Ok(None);
        };
        // Which of two keys would count is a guess no caller should rely on.
        if values.next().is_some() {
            return Err(Rejected(format!(
                "the request carries more than one `{}` header; send one",
                self.header
            )));
        }
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        // Every stored hash is compared, so the time taken says nothing about which
        // one (if any) matched.
        let mut found = None;
        for (stored, principal) in &self.keys {
            if bool::from(stored.ct_eq(&digest)) {
                found = Some(principal);
            }
        }
        found
            .cloned()
            .map(Some)
            .ok_or_else(|| Rejected("the API key is not valid".into()))
    }
}
