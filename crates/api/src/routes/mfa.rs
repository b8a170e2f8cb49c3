//! The second factor: TOTP enrolment and the second step of sign-in.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{pending_sign_in, signed_in};
use crate::error::ProblemDetails;
use crate::extract::{Caller, ClientAddress, JsonBody, SessionSecret};
use crate::types::User;
use crate::{now_ms, ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login_second_factor))
        .routes(routes!(begin_totp))
        .routes(routes!(confirm_totp))
}

/// A TOTP code or a recovery code.
#[derive(Debug, Deserialize, ToSchema)]
pub(super) struct Code {
    /// Six digits from the authenticator app, or one recovery code.
    pub code: String,
}

/// Finishes sign-in for users with a second factor: the pending session of
/// `POST /api/auth/login` (its cookie) plus a TOTP code or an unused recovery
/// code. Sets a new session cookie.
#[utoipa::path(post, path = "/api/auth/login/mfa", tag = "auth", request_body = Code,
    responses((status = 200, description = "Signed in; session cookie set", body = User),
              (status = 400, description = "Malformed body", body = ProblemDetails),
              (status = 401, description = "No pending sign-in, or a wrong or used code", body = ProblemDetails),
              (status = 429, description = "Too many failed attempts", body = ProblemDetails)))]
async fn login_second_factor(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    SessionSecret(pending): SessionSecret,
    JsonBody(body): JsonBody<Code>,
) -> Result<Response, ApiError> {
    let pending = pending_sign_in(pending)?;
    let sign_in = state
        .identity
        .complete_mfa(&pending, &body.code, address.as_deref(), now_ms())
        .await?;
    signed_in(&state, &sign_in)
}

/// A started TOTP enrolment.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct TotpEnrolmentView {
    /// The shared secret, base32, for typing into an authenticator app.
    pub secret: String,
    /// The `otpauth://totp/…` URI.
    pub otpauth_uri: String,
    /// The URI as a QR code: an SVG `data:` URI for an `<img src>`.
    pub qr_code: String,
}

/// Starts TOTP enrolment (again, while unconfirmed): a new secret with its
/// otpauth URI and QR code. Confirm it with a code to switch it on.
#[utoipa::path(post, path = "/api/auth/mfa/totp", tag = "auth",
    responses((status = 201, description = "Enrolment started", body = TotpEnrolmentView),
              (status = 401, description = "Not signed in", body = ProblemDetails),
              (status = 409, description = "TOTP is already enrolled", body = ProblemDetails)))]
async fn begin_totp(
    State(state): State<AppState>,
    Caller(principal): Caller,
) -> Result<(StatusCode, Json<TotpEnrolmentView>), ApiError> {
    let enrolment = state.identity.begin_totp(&principal, now_ms()).await?;
    Ok((
        StatusCode::CREATED,
        Json(TotpEnrolmentView {
            secret: enrolment.secret,
            otpauth_uri: enrolment.otpauth_uri,
            qr_code: enrolment.qr_code,
        }),
    ))
}

/// Recovery codes, each usable once instead of a TOTP code; shown only now.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct RecoveryCodes {
    /// Ten codes.
    pub recovery_codes: Vec<String>,
}

/// Confirms TOTP enrolment with a current code; from now on sign-in asks
/// for a code. Returns ten single-use recovery codes.
#[utoipa::path(post, path = "/api/auth/mfa/totp/confirm", tag = "auth", request_body = Code,
    responses((status = 200, description = "Enrolled", body = RecoveryCodes),
              (status = 400, description = "Malformed body", body = ProblemDetails),
              (status = 401, description = "Not signed in, or a wrong code", body = ProblemDetails),
              (status = 404, description = "No enrolment was started", body = ProblemDetails),
              (status = 409, description = "TOTP is already enrolled", body = ProblemDetails)))]
async fn confirm_totp(
    State(state): State<AppState>,
    Caller(principal): Caller,
    JsonBody(body): JsonBody<Code>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    let recovery_codes = state
        .identity
        .confirm_totp(&principal, &body.code, now_ms())
        .await?;
    Ok(Json(RecoveryCodes { recovery_codes }))
}
