//! Password hashing with argon2id at the OWASP parameters (m = 19 MiB, t = 2, p = 1), which are
//! the argon2 crate's defaults. Hashing is CPU-heavy: callers run it through `db::run`.

use std::sync::LazyLock;

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};

use crate::error::ApiError;

/// Hashes a password with a fresh random salt, as a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
pub fn hash(password: &str) -> Result<String, ApiError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("hashing a password: {e}")))
}

/// `#[validate(custom(function = "crate::auth::password::not_blank"))]` on every new password:
/// one made only of white space (or zero-width characters) is refused, whatever its length —
/// twelve spaces pass a length rule but are the first thing a guesser tries. Other characters,
/// spaces inside included, are the user's choice (OWASP: no composition rules).
pub fn not_blank(password: &str) -> Result<(), validator::ValidationError> {
    // Empty is the length rule's to report.
    let blank = !password.is_empty()
        && password.chars().all(|c| {
            c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
        });
    if blank {
        Err(crate::error::refusal(
            crate::error::FieldCode::Blank,
            crate::error::Text::new(
                "must not be made only of spaces",
                "không được chỉ gồm dấu cách",
            ),
        ))
    } else {
        Ok(())
    }
}

/// A hash that no password matches in practice, verified for unknown users so that "no such
/// user" and "wrong password" take the same time.
static DUMMY: LazyLock<String> =
    LazyLock::new(|| hash("thidua dummy password").unwrap_or_default());

/// Checks a password against a stored hash; `None` (no such user) burns the same time.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    let stored = stored.unwrap_or(DUMMY.as_str());
    match PasswordHash::new(stored) {
        Ok(parsed) => {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
                && !stored.eq(DUMMY.as_str())
        }
        Err(_) => false,
    }
}

/// True when the hash was made with other parameters than today's, so it should be redone.
pub fn needs_rehash(stored: &str) -> bool {
    let current = format!("$argon2id$v=19${}$", argon2::Params::default());
    !stored.starts_with(&current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_with_owasp_parameters_and_verifies() {
        let h = hash("correct horse battery staple").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify("correct horse battery staple", Some(&h)));
        assert!(!verify("wrong", Some(&h)));
        assert!(!verify("anything", None));
        assert!(!needs_rehash(&h));
        assert!(needs_rehash("$argon2id$v=19$m=4096,t=3,p=1$abc$def"));
    }

    #[test]
    fn passwords_of_only_spaces_are_refused() {
        for blank in [
            "            ",
            "\t\t\t\t\t\t\t\t\t\t\t\t",
            "\u{a0}\u{3000}\u{200B}",
        ] {
            assert!(not_blank(blank).is_err(), "{blank:?}");
        }
        assert!(not_blank("  a long passphrase  ").is_ok());
    }
}
