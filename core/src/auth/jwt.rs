//! [`Jwt`]: bearer tokens signed with a shared secret (HS256) or a key pair
//! (RS256, ES256), checked by the `jsonwebtoken` crate.

use std::time::Duration;

use axum::http::header;
use axum::http::request::Parts;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::Value;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use super::{Authenticator, Principal, Rejected};

/// The shortest HS256 secret [`Jwt::from_env`] accepts: HS256's own key size.
const MIN_SECRET_BYTES: usize = 32;

/// Authenticates `Authorization: Bearer <token>` requests.
///
/// A token must carry `sub` and `exp`, be signed with the configured algorithm and key,
/// and name the configured issuer and audience when they are set. Its `roles` claim (an
/// array of strings; see [`Jwt::roles_claim`]) gives the principal's roles, `scope` (a
/// space-separated string) or `scp` (an array) its scopes, and the other claims its
/// [`claims`](Principal::claims).
///
/// ```
/// use std::time::Duration;
/// use ferrest::auth::{Jwt, Principal};
///
/// let jwt = Jwt::hs256("a secret of at least 32 bytes, at random").issuer("bookstore");
/// let token = jwt.sign(&Principal::new("ada").with_roles(["editor"]), Duration::from_secs(3600))?;
/// let app = ferrest::App::new().authenticate(jwt);
/// # Ok::<(), ferrest::Error>(())
/// ```
pub struct Jwt {
    algorithm: Algorithm,
    decoding: DecodingKey,
    encoding: Option<EncodingKey>,
    issuer: Option<String>,
    audience: Option<String>,
    leeway: u64,
    roles_claim: String,
    /// What `jsonwebtoken` checks, rebuilt by each builder method.
    validation: Validation,
}

impl Jwt {
    /// HS256 with a shared secret, which both checks and [signs](Jwt::sign) tokens.
    /// Use at least 32 random bytes: a shorter secret can be found by brute force from
    /// any one token ([`Jwt::from_env`] refuses one).
    ///
    /// # Panics
    /// When `secret` is empty: every token would then be forged at will.
    pub fn hs256(secret: impl AsRef<[u8]>) -> Self {
        let secret = secret.as_ref();
        let empty = "Jwt::hs256 needs a secret; use at least 32 random bytes";
        let mut jwt = Jwt::new(
            Algorithm::HS256,
            DecodingKey::from_secret(secret).expect(empty),
        );
        jwt.encoding = Some(EncodingKey::from_secret(secret).expect(empty));
        jwt
    }

    /// RS256 with the issuer's RSA public key in PEM.
    pub fn rs256_pem(public_key: &[u8]) -> Result<Self, crate::Error> {
        DecodingKey::from_rsa_pem(public_key)
            .map(|key| Jwt::new(Algorithm::RS256, key))
            .map_err(|e| crate::Error::Config(format!("the RS256 public key: {e}")))
    }

    /// ES256 with the issuer's P-256 public key in PEM.
    pub fn es256_pem(public_key: &[u8]) -> Result<Self, crate::Error> {
        DecodingKey::from_ec_pem(public_key)
            .map(|key| Jwt::new(Algorithm::ES256, key))
            .map_err(|e| crate::Error::Config(format!("the ES256 public key: {e}")))
    }

    fn new(algorithm: Algorithm, decoding: DecodingKey) -> Self {
        // jsonwebtoken picks its backend from its features, and has none when another
        // crate of the build enables its `rust_crypto` as well: ferrest's aws-lc-rs then,
        // unless the app installed one of its own first.
        if jsonwebtoken::crypto::CryptoProvider::try_get_default().is_none() {
            let _ = jsonwebtoken::crypto::CryptoProvider::install_default(
                &jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER,
            );
        }
        Jwt {
            algorithm,
            decoding,
            encoding: None,
            issuer: None,
            audience: None,
            leeway: 30,
            roles_claim: "roles".to_owned(),
            validation: Validation::new(algorithm),
        }
        .validated()
    }

    /// The private key (PEM) that [`Jwt::sign`] uses with RS256 or ES256, for services
    /// that issue their own tokens.
    pub fn signing_key_pem(mut self, private_key: &[u8]) -> Result<Self, crate::Error> {
        let key = match self.algorithm {
            Algorithm::RS256 => EncodingKey::from_rsa_pem(private_key),
            Algorithm::ES256 => EncodingKey::from_ec_pem(private_key),
            _ => return Err(crate::Error::Config("HS256 signs with its secret".into())),
        };
        self.encoding =
            Some(key.map_err(|e| crate::Error::Config(format!("the signing key: {e}")))?);
        Ok(self)
    }

    /// Accept only tokens whose `iss` is `issuer`.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self.validated()
    }

    /// Accept only tokens whose `aud` names `audience`.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self.validated()
    }

    /// Clock skew tolerated on `exp` and `nbf` (default 30 seconds).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway.as_secs();
        self.validated()
    }

    /// The claim that lists the roles (default `roles`).
    pub fn roles_claim(mut self, claim: impl Into<String>) -> Self {
        self.roles_claim = claim.into();
        self
    }

    /// Reads the configuration from the environment: `FERREST_JWT_SECRET` (HS256), or
    /// `FERREST_JWT_PUBLIC_KEY_FILE` (a PEM file) with `FERREST_JWT_ALGORITHM` (`RS256`
    /// or `ES256`); `FERREST_JWT_ISSUER` and `FERREST_JWT_AUDIENCE`. `None` when neither
    /// key is set.
    pub fn from_env() -> Result<Option<Self>, crate::Error> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let jwt = if let Some(secret) = var("FERREST_JWT_SECRET") {
            hs256_from_env(&secret)?
        } else if let Some(file) = var("FERREST_JWT_PUBLIC_KEY_FILE") {
            let pem = std::fs::read(&file).map_err(|e| {
                crate::Error::Config(format!("FERREST_JWT_PUBLIC_KEY_FILE `{file}`: {e}"))
            })?;
            match var("FERREST_JWT_ALGORITHM").as_deref() {
                Some("RS256") | None => Jwt::rs256_pem(&pem)?,
                Some("ES256") => Jwt::es256_pem(&pem)?,
                Some(other) => {
                    return Err(crate::Error::Config(format!(
                        "FERREST_JWT_ALGORITHM `{other}` is not supported; use `RS256` or `ES256`"
                    )));
                }
            }
        } else {
            return Ok(None);
        };
        let jwt = match var("FERREST_JWT_ISSUER") {
            Some(issuer) => jwt.issuer(issuer),
            None => jwt,
        };
        Ok(Some(match var("FERREST_JWT_AUDIENCE") {
            Some(audience) => jwt.audience(audience),
            None => jwt,
        }))
    }

    /// A token for `principal`, valid for `ttl`, naming the configured issuer and
    /// audience: for tests, tools and services that issue their own tokens.
    pub fn sign(&self, principal: &Principal, ttl: Duration) -> Result<String, crate::Error> {
        let key = self.encoding.as_ref().ok_or_else(|| {
            crate::Error::Config("this Jwt has no signing key; see `signing_key_pem`".into())
        })?;
        let mut claims = principal.claims.clone();
        claims.insert("sub".into(), principal.subject.clone().into());
        claims.insert(
            "exp".into(),
            (jsonwebtoken::get_current_timestamp() + ttl.as_secs()).into(),
        );
        if !principal.roles.is_empty() {
            claims.insert(self.roles_claim.clone(), principal.roles.clone().into());
        }
        if !principal.scopes.is_empty() {
            claims.insert("scope".into(), principal.scopes.join(" ").into());
        }
        if let Some(issuer) = &self.issuer {
            claims.insert("iss".into(), issuer.clone().into());
        }
        if let Some(audience) = &self.audience {
            claims.insert("aud".into(), audience.clone().into());
        }
        jsonwebtoken::encode(&Header::new(self.algorithm), &claims, key)
            .map_err(|e| crate::Error::Config(format!("signing a token: {e}")))
    }

    fn validated(mut self) -> Self {
        let mut validation = Validation::new(self.algorithm);
        validation.leeway = self.leeway;
        validation.validate_nbf = true;
        // `jsonwebtoken` checks `iss` and `aud` only when a token carries them, so a
        // configured issuer or audience must also make the claim required.
        let mut required = vec!["exp", "sub"];
        if let Some(issuer) = &self.issuer {
            validation.set_issuer(&[issuer]);
            required.push("iss");
        }
        match &self.audience {
            Some(audience) => {
                validation.set_audience(&[audience]);
                required.push("aud");
            }
            None => validation.validate_aud = false,
        }
        validation.set_required_spec_claims(&required);
        self.validation = validation;
        self
    }

    fn principal(&self, claims: Claims) -> Result<Principal, Rejected> {
        let Claims {
            sub,
            roles,
            mut scope,
            mut scp,
            mut others,
        } = claims;
        // The roles claim is taken after `sub` and before the scopes, whatever its name.
        let roles = match self.roles_claim.as_str() {
            "roles" => roles,
            renamed => {
                if let Some(roles) = roles {
                    others.insert("roles".to_owned(), roles);
                }
                match renamed {
                    "sub" => None,
                    "scope" => scope.take(),
                    "scp" => scp.take(),
                    other => others.shift_remove(other),
                }
            }
        };
        let subject = match sub {
            Some(Value::String(subject)) => subject,
            _ => return Err(Rejected("the token's `sub` claim is not a string".into())),
        };
        let strings = |value: Option<Value>, claim: &str| match value {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s),
                    _ => Err(Rejected(format!(
                        "the token's `{claim}` claim holds a non-string"
                    ))),
                })
                .collect(),
            Some(_) => Err(Rejected(format!(
                "the token's `{claim}` claim is not an array"
            ))),
        };
        let roles = strings(roles, &self.roles_claim)?;
        let scopes = match scope {
            Some(Value::String(scope)) => scope.split_whitespace().map(str::to_owned).collect(),
            Some(_) => return Err(Rejected("the token's `scope` claim is not a string".into())),
            None => strings(scp, "scp")?,
        };
        Ok(Principal {
            subject,
            roles,
            scopes,
            claims: others,
        })
    }
}

/// Why a token was refused, in words a client developer can act on.
/// The HS256 verifier `FERREST_JWT_SECRET` asks for, refusing a guessable secret.
fn hs256_from_env(secret: &str) -> Result<Jwt, crate::Error> {
    if secret.len() < MIN_SECRET_BYTES {
        return Err(crate::Error::Config(format!(
            "FERREST_JWT_SECRET has {} bytes; use at least {MIN_SECRET_BYTES} random bytes (for example `openssl rand -base64 32`)",
            secret.len()
        )));
    }
    Ok(Jwt::hs256(secret))
}

fn reason(kind: &ErrorKind) -> String {
    match kind {
        ErrorKind::ExpiredSignature => "the token has expired".into(),
        ErrorKind::ImmatureSignature => "the token is not valid yet (`nbf`)".into(),
        ErrorKind::InvalidSignature => "the token's signature does not verify".into(),
        ErrorKind::InvalidIssuer => "the token's issuer (`iss`) is not accepted".into(),
        ErrorKind::InvalidAudience => "the token's audience (`aud`) is not accepted".into(),
        ErrorKind::InvalidAlgorithm => {
            "the token is signed with an algorithm that is not accepted".into()
        }
        ErrorKind::MissingRequiredClaim(claim) => format!("the token has no `{claim}` claim"),
        _ => "the token is malformed".into(),
    }
}

#[async_trait::async_trait]
impl Authenticator for Jwt {
    fn name(&self) -> &str {
        "bearer"
    }

    fn scheme(&self) -> SecurityScheme {
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .build(),
        )
    }

    fn challenge(&self) -> String {
        r#"Bearer realm="api""#.to_owned()
    }

    async fn authenticate(&self, request: &Parts) -> Result<Option<Principal>, Rejected> {
        self.check(request)
    }

    fn authenticate_now(&self, request: &Parts) -> Option<Result<Option<Principal>, Rejected>> {
        Some(self.check(request))
    }
}

impl Jwt {
    /// The principal of the request's bearer token; nothing to wait for.
    fn check(&self, request: &Parts) -> Result<Option<Principal>, Rejected> {
        let Some(value) = request.headers.get(header::AUTHORIZATION) else {
            return Ok(None);
        };
        // The scheme is read from the bytes, so that a bearer token with bytes that
        // are not text is refused here rather than mistaken for another scheme.
        let value = value.as_bytes();
        let (scheme, token) = match value.iter().position(u8::is_ascii_whitespace) {
            Some(space) => (&value[..space], value[space..].trim_ascii()),
            None => (value, &[][..]),
        };
        if !scheme.eq_ignore_ascii_case(b"bearer") {
            return Ok(None);
        }
        if token.is_empty() {
            return Err(Rejected(
                "the `Authorization: Bearer` header carries no token".into(),
            ));
        }
        let token = match std::str::from_utf8(token) {
            Ok(token) if token.is_ascii() => token,
            _ => {
                return Err(Rejected(
                    "the bearer token holds bytes that are not ASCII".into(),
                ));
            }
        };
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| Rejected(reason(e.kind())))?;
        self.principal(data.claims).map(Some)
    }
}

/// A token's claims, read in one pass as the principal takes them: the claims it reads
/// apart, under names matched without an allocation, and the others in the map it keeps.
/// A name given twice keeps its last value, as a map would.
struct Claims {
    sub: Option<Value>,
    /// The `roles` claim, the default [`Jwt::roles_claim`].
    roles: Option<Value>,
    scope: Option<Value>,
    scp: Option<Value>,
    others: serde_json::Map<String, Value>,
}

impl<'de> serde::Deserialize<'de> for Claims {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{self, DeserializeSeed, MapAccess, Visitor};

        enum Name {
            Sub,
            Roles,
            Scope,
            Scp,
            Other(String),
        }
        struct NameSeed;
        impl<'de> DeserializeSeed<'de> for NameSeed {
            type Value = Name;
            fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Name, D::Error> {
                d.deserialize_str(self)
            }
        }
        impl Visitor<'_> for NameSeed {
            type Value = Name;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a claim name")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<Name, E> {
                Ok(match name {
                    "sub" => Name::Sub,
                    "roles" => Name::Roles,
                    "scope" => Name::Scope,
                    "scp" => Name::Scp,
                    other => Name::Other(other.to_owned()),
                })
            }
        }
        struct Visit;
        impl<'de> Visitor<'de> for Visit {
            type Value = Claims;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object of claims")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Claims, A::Error> {
                let mut claims = Claims {
                    sub: None,
                    roles: None,
                    scope: None,
                    scp: None,
                    others: serde_json::Map::new(),
                };
                while let Some(name) = map.next_key_seed(NameSeed)? {
                    let value = map.next_value()?;
                    match name {
                        Name::Sub => claims.sub = Some(value),
                        Name::Roles => claims.roles = Some(value),
                        Name::Scope => claims.scope = Some(value),
                        Name::Scp => claims.scp = Some(value),
                        Name::Other(name) => {
                            claims.others.insert(name, value);
                        }
                    }
                }
                Ok(claims)
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

#[cfg(test)]
mod tests {
    use super::{Algorithm, Authenticator, Duration, Jwt, Principal};
    use serde_json::json;

    const SECRET: &str = "a secret of at least 32 bytes, at random";

    /// The principal of a token whose claims are exactly the text `claims`.
    fn principal(jwt: &Jwt, claims: &str) -> Principal {
        use base64::Engine;
        let b64 = |text: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);
        let message = format!("{}.{}", b64(r#"{"alg":"HS256","typ":"JWT"}"#), b64(claims));
        let key = jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()).unwrap();
        let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &key, Algorithm::HS256);
        let request = axum::http::Request::get("/")
            .header(
                "authorization",
                format!("Bearer {message}.{}", signature.unwrap()),
            )
            .body(())
            .unwrap();
        let outcome = jwt.authenticate_now(&request.into_parts().0);
        outcome.unwrap().unwrap().unwrap()
    }

    #[test]
    fn claims_become_the_principal() {
        let exp = 4_000_000_000_u64;
        let jwt = Jwt::hs256(SECRET);
        let ada = principal(
            &jwt,
            &format!(
                r#"{{"sub": "ada", "roles": ["x"], "scope": "a b", "exp": {exp}, "team": 7}}"#
            ),
        );
        assert_eq!(
            (ada.subject.as_str(), &ada.roles[..]),
            ("ada", &["x".to_owned()][..])
        );
        assert_eq!(ada.scopes, ["a", "b"]);
        assert_eq!(json!(ada.claims), json!({"exp": exp, "team": 7}));
        // A renamed roles claim: `roles` is then a claim like any other.
        let jwt = Jwt::hs256(SECRET).roles_claim("groups");
        let bob = principal(
            &jwt,
            &format!(
                r#"{{"roles": ["x"], "sub": "bob", "groups": ["g"], "scp": ["s"], "exp": {exp}}}"#
            ),
        );
        assert_eq!(
            (&bob.roles[..], &bob.scopes[..]),
            (&["g".to_owned()][..], &["s".to_owned()][..])
        );
        assert_eq!(json!(bob.claims), json!({"roles": ["x"], "exp": exp}));
        // The roles claim may be one that otherwise holds scopes: `Jwt::sign` writes
        // the roles under it, and they come back as roles.
        for claim in ["scp", "scope"] {
            let jwt = Jwt::hs256(SECRET).roles_claim(claim);
            let signed = jwt.sign(
                &Principal::new("cy").with_roles(["r"]),
                Duration::from_secs(60),
            );
            let claims =
                jsonwebtoken::dangerous::insecure_decode::<serde_json::Value>(signed.unwrap());
            let claims = serde_json::to_string(&claims.unwrap().claims).unwrap();
            let cy = principal(&jwt, &claims);
            assert_eq!(
                (&cy.roles[..], cy.scopes.len()),
                (&["r".to_owned()][..], 0),
                "{claim}"
            );
        }
        // A name given twice keeps its last value (jsonwebtoken refuses a second `sub`).
        let twice = principal(
            &jwt,
            &format!(
                r#"{{"sub": "a", "groups": ["1"], "team": 1, "groups": ["2"], "team": 2, "exp": {exp}}}"#
            ),
        );
        assert_eq!(
            (&twice.roles[..], &twice.claims["team"]),
            (&["2".to_owned()][..], &json!(2))
        );
    }

    #[test]
    fn a_short_secret_is_a_configuration_error() {
        let short = super::hs256_from_env("secret").err().expect("refused");
        assert!(short.to_string().contains("at least 32"), "{short}");
        assert!(super::hs256_from_env(&"x".repeat(32)).is_ok());
    }
}
