//! Extractors whose rejections are problem+json.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::Json;
use flowdesk_identity::Principal;
use serde::de::DeserializeOwned;

use crate::ApiError;

/// A JSON body; a malformed one is a 400 `invalid-request` naming the field or position.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(JsonBody(value)),
            Err(rejection) => Err(ApiError::InvalidRequest(rejection.body_text())),
        }
    }
}

/// Query parameters; malformed ones are a 400 `invalid-request`.
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(QueryParams(value)),
            Err(rejection) => Err(ApiError::InvalidRequest(rejection.body_text())),
        }
    }
}

/// The signed-in caller; 401 when there is none.
pub struct Caller(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Option<Principal>>()
            .cloned()
            .flatten()
            .map(Caller)
            .ok_or_else(|| ApiError::Unauthenticated("sign in or send an API token".into()))
    }
}

/// The client's network address (the peer of the TCP connection), when the
/// server was started with connect info; `None` in-process (the desktop).
/// Forwarding headers are not trusted: they are the client's to forge.
pub struct ClientAddress(pub Option<String>);

/// The client address of a request's parts.
pub(crate) fn client_address(extensions: &http::Extensions) -> Option<String> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip().to_string())
}

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(client_address(&parts.extensions)))
    }
}

/// The secret of the `flowdesk_session` cookie, if the request carries one
/// (for sign-in's session rotation and the second sign-in step).
pub struct SessionSecret(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for SessionSecret {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(SessionSecret(crate::middleware::session_cookie_of(
            &parts.headers,
        )))
    }
}
