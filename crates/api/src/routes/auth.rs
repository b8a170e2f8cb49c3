//! First-run setup, sign-in and sign-out, the current user, the OpenAPI document.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::ProblemDetails;
use crate::extract::{Caller, ClientAddress, JsonBody, SessionSecret};
use crate::middleware::SESSION_COOKIE;
use crate::types::{Credentials, SetupStatus, User};
use crate::{now_ms, ApiError, AppState};
use serde::Serialize;
use utoipa::ToSchema;

pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(setup_status, setup))
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(openapi_document))
}

pub(super) fn session_cookie(state: &AppState, secret: &str) -> Result<HeaderValue, ApiError> {
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={secret}; HttpOnly; SameSite=Strict; Path=/{secure}"
    ))
    .map_err(|e| ApiError::Internal(format!("session cookie: {e}")))
}

pub(super) fn with_cookie<T: Serialize>(
    status: StatusCode,
    body: T,
    cookie: HeaderValue,
) -> Response {
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    response
}

/// The pending session of a password step (the cookie `POST /api/auth/login`
/// set) that a second factor completes.
pub(super) fn pending_sign_in(pending: Option<String>) -> Result<String, ApiError> {
    pending.ok_or_else(|| ApiError::Unauthenticated("sign in with the password first".into()))
}

/// 200 with the signed-in user and the cookie of their new session.
pub(super) fn signed_in(
    state: &AppState,
    sign_in: &flowdesk_identity::SignIn,
) -> Result<Response, ApiError> {
    let cookie = session_cookie(state, &sign_in.secret)?;
    Ok(with_cookie(
        StatusCode::OK,
        User::from(&sign_in.user),
        cookie,
    ))
}

/// Whether first-run setup is needed.
#[utoipa::path(get, path = "/api/auth/setup", tag = "auth",
    responses((status = 200, description = "Setup status", body = SetupStatus)))]
async fn setup_status(State(state): State<AppState>) -> Result<Json<SetupStatus>, ApiError> {
    Ok(Json(SetupStatus {
        needs_setup: state.identity.needs_setup().await?,
    }))
}

/// Creates the first administrator and signs them in (only while no user exists).
#[utoipa::path(post, path = "/api/auth/setup", tag = "auth", request_body = Credentials,
    responses((status = 201, description = "Administrator created; session cookie set", body = User),
              (status = 400, description = "Invalid input", body = ProblemDetails),
              (status = 409, description = "Already set up", body = ProblemDetails)))]
async fn setup(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<Credentials>,
) -> Result<Response, ApiError> {
    let (user, secret) = state
        .identity
        .setup_first_admin(&body.username, &body.password, now_ms())
        .await?;
    let cookie = session_cookie(&state, &secret)?;
    Ok(with_cookie(StatusCode::CREATED, User::from(&user), cookie))
}

/// The password was right; the second factor must follow at
/// `POST /api/auth/login/mfa` (the cookie holds the pending session).
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct MfaChallenge {
    /// Always true.
    pub mfa_required: bool,
    /// The second factors the user has: `totp` (a code at
    /// `/api/auth/login/mfa`) and/or `passkey` (at
    /// `/api/auth/passkeys/second-factor/options`).
    pub methods: Vec<String>,
}

/// Signs in with username and password; sets the session cookie (a new
/// session id each time; the session the client held before ends). Users
/// with a second factor get a pending session and answer 202.
///
/// Wrong password and unknown user are the same 401; repeated failures per
/// account or client address lock sign-in with back-off (429, `Retry-After`).
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = Credentials,
    responses((status = 200, description = "Signed in; session cookie set", body = User),
              (status = 202, description = "Password accepted; send the TOTP or a recovery code to /api/auth/login/mfa, or sign with a passkey at /api/auth/passkeys/second-factor", body = MfaChallenge),
              (status = 400, description = "Malformed body", body = ProblemDetails),
              (status = 401, description = "Wrong username or password", body = ProblemDetails),
              (status = 429, description = "Too many failed sign-ins", body = ProblemDetails)))]
async fn login(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    SessionSecret(previous): SessionSecret,
    JsonBody(body): JsonBody<Credentials>,
) -> Result<Response, ApiError> {
    let sign_in = state
        .identity
        .login(
            &body.username,
            &body.password,
            address.as_deref(),
            previous.as_deref(),
            now_ms(),
        )
        .await?;
    let cookie = session_cookie(&state, &sign_in.secret)?;
    if sign_in.mfa_pending {
        return Ok(with_cookie(
            StatusCode::ACCEPTED,
            MfaChallenge {
                mfa_required: true,
                methods: sign_in
                    .second_factors
                    .iter()
                    .map(|m| m.to_string())
                    .collect(),
            },
            cookie,
        ));
    }
    Ok(with_cookie(
        StatusCode::OK,
        User::from(&sign_in.user),
        cookie,
    ))
}

/// Signs out: deletes the session and clears the cookie.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth",
    responses((status = 204, description = "Signed out"),
              (status = 401, description = "Not signed in", body = ProblemDetails)))]
async fn logout(
    State(state): State<AppState>,
    Caller(principal): Caller,
) -> Result<Response, ApiError> {
    state.identity.logout(&principal, now_ms()).await?;
    let secure = if state.config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let clear = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; Max-Age=0; HttpOnly; SameSite=Strict; Path=/{secure}"
    ))
    .map_err(|e| ApiError::Internal(format!("session cookie: {e}")))?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, clear);
    Ok(response)
}

/// The signed-in user with their permissions.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth",
    responses((status = 200, description = "The current user", body = User),
              (status = 401, description = "Not signed in", body = ProblemDetails)))]
async fn me(
    State(state): State<AppState>,
    Caller(principal): Caller,
) -> Result<Json<User>, ApiError> {
    let user = state.identity.user(&principal.user_id).await?;
    let mut view = User::from(&user);
    view.permissions = Some(
        principal
            .permissions
            .iter()
            .map(|p| p.as_str().to_string())
            .collect(),
    );
    Ok(Json(view))
}

/// This API's OpenAPI 3.1 document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "auth",
    responses((status = 200, description = "OpenAPI document", body = Object),
              (status = 401, description = "Not signed in", body = ProblemDetails)))]
async fn openapi_document(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        state.openapi_json.as_str().to_string(),
    )
        .into_response()
}
