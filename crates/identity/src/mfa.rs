//! TOTP second factor (RFC 6238: SHA-1, 6 digits, 30 s steps, one step of
//! clock skew either way) and single-use recovery codes, as pure functions;
//! time comes in as `now` (milliseconds since the epoch).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use qrcodegen::{QrCode, QrCodeEcc};
use rand::RngCore;
use totp_rs::{Algorithm, Secret, TOTP};

use flowdesk_store::Millis;

/// The issuer shown in authenticator apps.
pub const ISSUER: &str = "Flowdesk";
/// Seconds per TOTP time step.
pub const STEP_SECONDS: u64 = 30;
/// Recovery codes handed out at enrolment.
pub const RECOVERY_CODES: usize = 10;

/// A TOTP secret could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("TOTP secret is unusable: {0}")]
pub struct TotpError(String);

/// A new random TOTP secret: 20 bytes (160 bits, as RFC 4226 recommends), base32.
pub fn new_secret() -> String {
    let mut bytes = vec![0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    match Secret::Raw(bytes).to_encoded() {
        Secret::Encoded(encoded) => encoded,
        Secret::Raw(_) => unreachable!("to_encoded returns the encoded form"),
    }
}

/// The TOTP generator for a base32 secret and account name.
pub fn totp(secret: &str, account: &str) -> Result<TOTP, TotpError> {
    let bytes = Secret::Encoded(secret.to_string())
        .to_bytes()
        .map_err(|e| TotpError(e.to_string()))?;
    // The otpauth label may not contain ':'; usernames may.
    let account = account.replace(':', "_");
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP_SECONDS,
        bytes,
        Some(ISSUER.to_string()),
        account,
    )
    .map_err(|e| TotpError(format!("{e:?}")))
}

/// The time step of `now`.
pub fn step_of(now: Millis) -> i64 {
    now.max(0) / 1000 / STEP_SECONDS as i64
}

/// The time step whose code equals `code` (the step of `now` or one either
/// side), if any. Comparison is constant-time.
pub fn matching_step(totp: &TOTP, code: &str, now: Millis) -> Option<i64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = step_of(now);
    let mut found = None;
    for step in [current - 1, current, current + 1] {
        let Ok(seconds) = u64::try_from(step) else {
            continue;
        };
        let expected = totp.generate(seconds * STEP_SECONDS);
        let same = expected
            .bytes()
            .zip(code.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
        if same && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// The QR code of an otpauth URI as an SVG `data:` URI for an `<img>`.
pub fn qr_svg_data_uri(uri: &str) -> Result<String, TotpError> {
    let qr = QrCode::encode_text(uri, QrCodeEcc::Medium).map_err(|e| TotpError(e.to_string()))?;
    let border = 4;
    let size = qr.size() + 2 * border;
    let mut path = String::new();
    for y in 0..qr.size() {
        for x in 0..qr.size() {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" \
         shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\
         <path d=\"{path}\" fill=\"#000\"/></svg>"
    );
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        STANDARD.encode(svg)
    ))
}

/// New recovery codes: [`RECOVERY_CODES`] codes of 16 base32 characters
/// (80 bits) as `xxxx-xxxx-xxxx-xxxx`.
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = vec![0u8; 10];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let Secret::Encoded(encoded) = Secret::Raw(bytes).to_encoded() else {
                unreachable!("to_encoded returns the encoded form")
            };
            let lower = encoded.to_lowercase();
            lower
                .as_bytes()
                .chunks(4)
                .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// The stored form of a recovery code: SHA-256 hex of the code without
/// dashes or spaces, lowercased (so typing it in upper case works).
pub fn hash_recovery_code(code: &str) -> String {
    let normalised: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    flowdesk_store::sha256_hex(normalised.as_bytes())
}

/// Whether `code` has the shape of a recovery code rather than a TOTP code.
pub fn looks_like_recovery_code(code: &str) -> bool {
    code.trim().len() > 6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_their_step_and_one_either_side_only() {
        let secret = new_secret();
        let totp = totp(&secret, "ann:admin").expect("valid secret");
        let now: Millis = 1_700_000_000_000;
        let code = totp.generate((now / 1000) as u64);
        assert_eq!(matching_step(&totp, &code, now), Some(step_of(now)));
        assert_eq!(
            matching_step(&totp, &code, now + 30_000),
            Some(step_of(now))
        );
        assert_eq!(matching_step(&totp, &code, now + 90_000), None);
        assert_eq!(matching_step(&totp, "12345", now), None);
        assert_eq!(matching_step(&totp, "abcdef", now), None);
        assert!(totp
            .get_url()
            .starts_with("otpauth://totp/Flowdesk:ann_admin?secret="));
    }

    #[test]
    fn qr_code_is_an_svg_data_uri() {
        let uri = qr_svg_data_uri("otpauth://totp/Flowdesk:ann?secret=JBSWY3DPEHPK3PXP")
            .expect("fits a QR code");
        let svg = STANDARD
            .decode(
                uri.strip_prefix("data:image/svg+xml;base64,")
                    .expect("prefix"),
            )
            .expect("base64");
        let svg = String::from_utf8(svg).expect("utf-8");
        assert!(
            svg.starts_with("<svg") && svg.contains("<path d=\"M"),
            "{svg}"
        );
    }

    #[test]
    fn recovery_codes_are_distinct_and_hash_case_insensitively() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        assert_eq!(codes[0].len(), 19);
        assert_ne!(codes[0], codes[1]);
        assert!(looks_like_recovery_code(&codes[0]));
        assert_eq!(
            hash_recovery_code(&codes[0]),
            hash_recovery_code(&codes[0].to_uppercase().replace('-', " "))
        );
    }
}
