//! WebAuthn passkeys: the caller's own passkeys (register, list, delete),
//! the second sign-in step with a passkey, and passwordless sign-in.
//!
//! Each ceremony is an `…/options` call that answers the options for
//! `navigator.credentials.create`/`.get` with a challenge id, and a second
//! call with the browser's credential (its JSON, binary fields base64url)
//! and that id.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use flowdesk_identity::passkey::{PasskeyOptions, PasskeySummary};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::auth::{pending_sign_in, signed_in};
use crate::error::ProblemDetails;
use crate::extract::{Caller, ClientAddress, JsonBody, SessionSecret};
use crate::types::{rfc3339, User};
use crate::{now_ms, ApiError, AppState};

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, finish_registration))
        .routes(routes!(begin_registration))
        .routes(routes!(delete))
        .routes(routes!(begin_second_factor))
        .routes(routes!(finish_second_factor))
        .routes(routes!(begin_sign_in))
        .routes(routes!(finish_sign_in))
}

/// Options for the browser's WebAuthn call.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct PasskeyChallenge {
    /// Send it back with the browser's credential; it answers once, within 5 minutes.
    pub challenge_id: String,
    /// `{"publicKey": …}`: `PublicKeyCredentialCreationOptions` (registration)
    /// or `PublicKeyCredentialRequestOptions` (sign-in) with binary fields
    /// (challenge, user id, credential ids) as base64url strings.
    #[schema(value_type = Object)]
    pub options: serde_json::Value,
}

impl From<PasskeyOptions> for PasskeyChallenge {
    fn from(options: PasskeyOptions) -> Self {
        PasskeyChallenge {
            challenge_id: options.challenge_id,
            options: options.options,
        }
    }
}

/// A registered passkey.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct PasskeyView {
    /// Id, for deleting it.
    pub id: String,
    /// The name its owner gave it.
    pub name: String,
    /// Registration time.
    pub created_at: String,
    /// Last sign-in with it, if any.
    pub last_used_at: Option<String>,
}

impl From<PasskeySummary> for PasskeyView {
    fn from(summary: PasskeySummary) -> Self {
        PasskeyView {
            id: summary.id,
            name: summary.name,
            created_at: rfc3339(summary.created_at),
            last_used_at: summary.last_used_at.map(rfc3339),
        }
    }
}

/// The browser's new credential for a started registration.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct PasskeyRegistration {
    /// The `challenge_id` of `POST /api/account/passkeys/options`.
    pub challenge_id: String,
    /// A name to tell the passkey apart by (1 to 100 characters).
    pub name: String,
    /// The `PublicKeyCredential` of `navigator.credentials.create` as JSON
    /// (`id`, `rawId`, `type`, `response.attestationObject`,
    /// `response.clientDataJSON`; binary fields base64url).
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
}

/// The browser's assertion for a started passkey sign-in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct PasskeyAssertion {
    /// The `challenge_id` of the matching `…/options` call.
    pub challenge_id: String,
    /// The `PublicKeyCredential` of `navigator.credentials.get` as JSON
    /// (`id`, `rawId`, `type`, `response.authenticatorData`,
    /// `response.clientDataJSON`, `response.signature`,
    /// `response.userHandle`; binary fields base64url).
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
}

/// The caller's passkeys, oldest first.
#[utoipa::path(get, path = "/api/account/passkeys", tag = "auth",
    responses((status = 200, description = "Passkeys", body = [PasskeyView]),
              (status = 401, description = "Not signed in", body = ProblemDetails)))]
async fn list(
    State(state): State<AppState>,
    Caller(principal): Caller,
) -> Result<Json<Vec<PasskeyView>>, ApiError> {
    let passkeys = state.identity.list_passkeys(&principal).await?;
    Ok(Json(passkeys.into_iter().map(PasskeyView::from).collect()))
}

/// Starts registering a passkey for the signed-in user (a browser session,
/// not an API token): options for `navigator.credentials.create` asking for
/// a discoverable credential with user verification.
#[utoipa::path(post, path = "/api/account/passkeys/options", tag = "auth",
    responses((status = 200, description = "Options for navigator.credentials.create", body = PasskeyChallenge),
              (status = 401, description = "Not signed in", body = ProblemDetails),
              (status = 403, description = "Signed in with an API token, not a session", body = ProblemDetails),
              (status = 409, description = "Passkeys are not available: the server has no public URL", body = ProblemDetails)))]
async fn begin_registration(
    State(state): State<AppState>,
    Caller(principal): Caller,
) -> Result<Json<PasskeyChallenge>, ApiError> {
    let options = state
        .identity
        .begin_passkey_registration(&principal, now_ms())
        .await?;
    Ok(Json(options.into()))
}

/// Finishes a registration with the browser's new credential and stores the passkey.
#[utoipa::path(post, path = "/api/account/passkeys", tag = "auth", request_body = PasskeyRegistration,
    responses((status = 201, description = "Passkey registered", body = PasskeyView),
              (status = 400, description = "Malformed body, a bad name or credential (the detail names the field)", body = ProblemDetails),
              (status = 401, description = "Not signed in, or the credential or challenge was refused", body = ProblemDetails),
              (status = 403, description = "Signed in with an API token, not a session", body = ProblemDetails),
              (status = 409, description = "Already registered, or passkeys are not available", body = ProblemDetails)))]
async fn finish_registration(
    State(state): State<AppState>,
    Caller(principal): Caller,
    JsonBody(body): JsonBody<PasskeyRegistration>,
) -> Result<(StatusCode, Json<PasskeyView>), ApiError> {
    let passkey = state
        .identity
        .finish_passkey_registration(
            &principal,
            &body.challenge_id,
            &body.name,
            body.credential,
            now_ms(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(passkey.into())))
}

/// Deletes one of the caller's passkeys; it no longer signs in.
#[utoipa::path(delete, path = "/api/account/passkeys/{id}", tag = "auth",
    params(("id" = String, Path, description = "Passkey id")),
    responses((status = 204, description = "Deleted"),
              (status = 401, description = "Not signed in", body = ProblemDetails),
              (status = 403, description = "Signed in with an API token, not a session", body = ProblemDetails),
              (status = 404, description = "No such passkey of the caller", body = ProblemDetails)))]
async fn delete(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    super::no_content(state.identity.delete_passkey(&principal, &id, now_ms())).await
}

/// Starts the second sign-in step with a passkey: the pending session of
/// `POST /api/auth/login` (its cookie), for a user with passkeys.
#[utoipa::path(post, path = "/api/auth/passkeys/second-factor/options", tag = "auth",
    responses((status = 200, description = "Options for navigator.credentials.get", body = PasskeyChallenge),
              (status = 401, description = "No pending sign-in", body = ProblemDetails),
              (status = 404, description = "The user has no passkey", body = ProblemDetails),
              (status = 409, description = "Passkeys are not available: the server has no public URL", body = ProblemDetails)))]
async fn begin_second_factor(
    State(state): State<AppState>,
    SessionSecret(pending): SessionSecret,
) -> Result<Json<PasskeyChallenge>, ApiError> {
    let pending = pending_sign_in(pending)?;
    let options = state
        .identity
        .begin_passkey_second_factor(&pending, now_ms())
        .await?;
    Ok(Json(options.into()))
}

/// Finishes the second sign-in step with the browser's assertion; sets a
/// new session cookie.
#[utoipa::path(post, path = "/api/auth/passkeys/second-factor", tag = "auth", request_body = PasskeyAssertion,
    responses((status = 200, description = "Signed in; session cookie set", body = User),
              (status = 400, description = "Malformed body or credential (the detail names the field)", body = ProblemDetails),
              (status = 401, description = "No pending sign-in, or the passkey or challenge was refused", body = ProblemDetails),
              (status = 409, description = "Passkeys are not available", body = ProblemDetails),
              (status = 429, description = "Too many failed attempts", body = ProblemDetails)))]
async fn finish_second_factor(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    SessionSecret(pending): SessionSecret,
    JsonBody(body): JsonBody<PasskeyAssertion>,
) -> Result<Response, ApiError> {
    let pending = pending_sign_in(pending)?;
    let sign_in = state
        .identity
        .finish_passkey_second_factor(
            &pending,
            &body.challenge_id,
            body.credential,
            address.as_deref(),
            now_ms(),
        )
        .await?;
    signed_in(&state, &sign_in)
}

/// Starts passwordless sign-in: options for `navigator.credentials.get`
/// that let the browser offer any passkey of this site.
#[utoipa::path(post, path = "/api/auth/passkeys/sign-in/options", tag = "auth",
    responses((status = 200, description = "Options for navigator.credentials.get", body = PasskeyChallenge),
              (status = 409, description = "Passkeys are not available: the server has no public URL", body = ProblemDetails)))]
async fn begin_sign_in(State(state): State<AppState>) -> Result<Json<PasskeyChallenge>, ApiError> {
    let options = state.identity.begin_passkey_sign_in(now_ms()).await?;
    Ok(Json(options.into()))
}

/// Signs in with a passkey alone (it verified the user, so no second step
/// follows); sets the session cookie, and the session the client held
/// before ends. Unknown or removed passkeys are refused and count as failed
/// sign-ins (429 with `Retry-After` after too many).
#[utoipa::path(post, path = "/api/auth/passkeys/sign-in", tag = "auth", request_body = PasskeyAssertion,
    responses((status = 200, description = "Signed in; session cookie set", body = User),
              (status = 400, description = "Malformed body or credential (the detail names the field)", body = ProblemDetails),
              (status = 401, description = "The passkey or challenge was refused", body = ProblemDetails),
              (status = 409, description = "Passkeys are not available", body = ProblemDetails),
              (status = 429, description = "Too many failed sign-ins", body = ProblemDetails)))]
async fn finish_sign_in(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    SessionSecret(previous): SessionSecret,
    JsonBody(body): JsonBody<PasskeyAssertion>,
) -> Result<Response, ApiError> {
    let sign_in = state
        .identity
        .finish_passkey_sign_in(
            &body.challenge_id,
            body.credential,
            address.as_deref(),
            previous.as_deref(),
            now_ms(),
        )
        .await?;
    signed_in(&state, &sign_in)
}
