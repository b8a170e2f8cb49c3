//! RFC 9457 problem+json errors.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use flowdesk_engine::EngineError;
use flowdesk_identity::IdentityError;
use flowdesk_store::workflow::WorkflowError;
use flowdesk_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// Base of every problem `type` URI.
pub const PROBLEM_BASE: &str = "https://flowdesk.dev/problems/";

/// One problem in an invalid model, located by line and column (1-based).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ModelProblem {
    /// What is wrong.
    pub message: String,
    /// The element it is about, if any.
    pub element_id: Option<String>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// For a problem inside an expression (DMN: FEEL), the 1-based line
    /// inside the expression text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expression_line: Option<u32>,
    /// For a problem inside an expression, the 1-based column inside the
    /// expression text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expression_column: Option<u32>,
}

impl ModelProblem {
    /// A problem located at an element only.
    pub fn at(message: String, element_id: Option<String>, line: u32, column: u32) -> Self {
        ModelProblem {
            message,
            element_id,
            line,
            column,
            expression_line: None,
            expression_column: None,
        }
    }
}

/// The problem+json body (RFC 9457).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProblemDetails {
    /// `https://flowdesk.dev/problems/<slug>`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short summary of the problem type.
    pub title: String,
    /// HTTP status code.
    pub status: u16,
    /// What went wrong in this occurrence.
    pub detail: String,
    /// For `invalid-model`: every problem found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems: Option<Vec<ModelProblem>>,
}

/// Every error the API answers with; rendered as problem+json.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// 401: no or an invalid session / token, or bad credentials.
    Unauthenticated(String),
    /// 403: signed in but not allowed.
    Forbidden(String),
    /// 404.
    NotFound(String),
    /// 400: the request is malformed (JSON body, query, parameters).
    InvalidRequest(String),
    /// 400: the uploaded model has problems.
    InvalidModel {
        /// The modelling language: `BPMN` or `DMN` (in the title).
        language: &'static str,
        /// Summary, e.g. "2 problems in order.bpmn".
        detail: String,
        /// Every problem found.
        problems: Vec<ModelProblem>,
    },
    /// 409.
    Conflict(String),
    /// 429: too many failed sign-ins; retry after this many seconds.
    TooManyAttempts {
        /// What happened.
        detail: String,
        /// Seconds until the next attempt is accepted (the `Retry-After` header).
        retry_after_secs: u64,
    },
    /// 403: the role requires a second factor the user has not enrolled yet.
    MfaEnrolmentRequired(String),
    /// 403: a cookie-authenticated unsafe request from another origin (CSRF).
    CrossOrigin(String),
    /// 503: the operation stores a secret or sensitive value sealed, and
    /// this server has no master key (encryption at rest not configured);
    /// the detail says how to configure one.
    EncryptionNotConfigured(String),
    /// 500; the detail is logged, not sent.
    Internal(String),
}

impl ApiError {
    /// An invalid-model error from the parser's problems.
    pub fn invalid_model(resource_name: &str, errors: flowdesk_model::ModelErrors) -> ApiError {
        let problems: Vec<ModelProblem> = errors
            .problems
            .into_iter()
            .map(|p| ModelProblem::at(p.message, p.element_id, p.line, p.column))
            .collect();
        ApiError::model_problems("BPMN", resource_name, problems)
    }

    /// An invalid-model error from the problems of a DMN model: each with
    /// its element, line and column, and the position inside the FEEL
    /// expression where there is one.
    pub fn invalid_dmn(resource_name: &str, problems: flowdesk_rules::Problems) -> ApiError {
        let problems = problems
            .0
            .into_iter()
            .map(|p| {
                let (expression_line, expression_column) = match p.expression_position {
                    Some((line, column)) => (u32::try_from(line).ok(), u32::try_from(column).ok()),
                    None => (None, None),
                };
                ModelProblem {
                    message: p.message,
                    element_id: (!p.element.is_empty()).then_some(p.element),
                    line: p.line,
                    column: p.column,
                    expression_line,
                    expression_column,
                }
            })
            .collect();
        ApiError::model_problems("DMN", resource_name, problems)
    }

    /// An invalid-model error listing `problems` of a `language` model.
    pub(crate) fn model_problems(
        language: &'static str,
        resource_name: &str,
        problems: Vec<ModelProblem>,
    ) -> ApiError {
        let noun = if problems.len() == 1 {
            "problem"
        } else {
            "problems"
        };
        ApiError::InvalidModel {
            language,
            detail: format!("{} {noun} in {resource_name}", problems.len()),
            problems,
        }
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_)
            | ApiError::MfaEnrolmentRequired(_)
            | ApiError::CrossOrigin(_) => StatusCode::FORBIDDEN,
            ApiError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::InvalidRequest(_) | ApiError::InvalidModel { .. } => StatusCode::BAD_REQUEST,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::EncryptionNotConfigured(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The problem+json body.
    pub fn details(&self) -> ProblemDetails {
        let (slug, title, detail, problems) = match self {
            ApiError::Unauthenticated(d) => ("unauthenticated", "Not signed in", d.clone(), None),
            ApiError::Forbidden(d) => ("forbidden", "Not allowed", d.clone(), None),
            ApiError::NotFound(d) => ("not-found", "Not found", d.clone(), None),
            ApiError::InvalidRequest(d) => ("invalid-request", "Invalid request", d.clone(), None),
            ApiError::InvalidModel {
                language,
                detail,
                problems,
            } => (
                "invalid-model",
                if *language == "DMN" {
                    "Invalid DMN model"
                } else {
                    "Invalid BPMN model"
                },
                detail.clone(),
                Some(problems.clone()),
            ),
            ApiError::Conflict(d) => ("conflict", "Conflict", d.clone(), None),
            ApiError::TooManyAttempts { detail, .. } => (
                "too-many-attempts",
                "Too many attempts",
                detail.clone(),
                None,
            ),
            ApiError::MfaEnrolmentRequired(d) => (
                "mfa-enrolment-required",
                "Second factor required",
                d.clone(),
                None,
            ),
            ApiError::CrossOrigin(d) => (
                "cross-origin",
                "Cross-origin request refused",
                d.clone(),
                None,
            ),
            ApiError::EncryptionNotConfigured(d) => (
                "encryption-not-configured",
                "Encryption at rest not configured",
                d.clone(),
                None,
            ),
            ApiError::Internal(_) => (
                "internal",
                "Internal error",
                "an unexpected error occurred; see the server log".to_string(),
                None,
            ),
        };
        ProblemDetails {
            problem_type: format!("{PROBLEM_BASE}{slug}"),
            title: title.to_string(),
            status: self.status().as_u16(),
            detail,
            problems,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let details = self.details();
        match self {
            ApiError::Internal(d) => write!(f, "{}: {d}", details.title),
            _ => write!(f, "{}: {}", details.title, details.detail),
        }
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!(error = %detail, "internal error");
        }
        let status = self.status();
        let body = serde_json::to_vec(&self.details()).unwrap_or_default();
        let mut response = (status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let ApiError::TooManyAttempts {
            retry_after_secs, ..
        } = &self
        {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound => ApiError::NotFound("not found".into()),
            StoreError::Conflict(d) => ApiError::Conflict(d),
            StoreError::EncryptionNotConfigured(_) => {
                ApiError::EncryptionNotConfigured(error.to_string())
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<IdentityError> for ApiError {
    fn from(error: IdentityError) -> Self {
        match error {
            IdentityError::InvalidCredentials | IdentityError::InvalidCode => {
                ApiError::Unauthenticated(error.to_string())
            }
            IdentityError::TooManyAttempts { retry_after_ms } => ApiError::TooManyAttempts {
                detail: error.to_string(),
                retry_after_secs: u64::try_from(retry_after_ms).unwrap_or(0).div_ceil(1000),
            },
            IdentityError::Unauthenticated => ApiError::Unauthenticated(error.to_string()),
            IdentityError::AlreadySetUp => ApiError::Conflict(error.to_string()),
            IdentityError::NotFound(d) => ApiError::NotFound(format!("{d} not found")),
            IdentityError::Conflict(d) => ApiError::Conflict(d),
            IdentityError::InvalidInput(d) => ApiError::InvalidRequest(d),
            IdentityError::PasskeyRefused(_) => ApiError::Unauthenticated(error.to_string()),
            IdentityError::PasskeysUnavailable => ApiError::Conflict(error.to_string()),
            IdentityError::SessionRequired(_) => ApiError::Forbidden(error.to_string()),
            IdentityError::Store(e) => e.into(),
            IdentityError::Internal(d) => ApiError::Internal(d),
        }
    }
}

impl From<WorkflowError> for ApiError {
    fn from(error: WorkflowError) -> Self {
        match error {
            WorkflowError::Store(e) => e.into(),
            WorkflowError::NotFound(d) => ApiError::NotFound(d),
            WorkflowError::Conflict(d) => ApiError::Conflict(d),
            WorkflowError::InvalidDefinition { .. } => ApiError::Conflict(error.to_string()),
            WorkflowError::Engine(engine) => match engine {
                EngineError::JobNotFound { .. }
                | EngineError::TimerNotFound { .. }
                | EngineError::IncidentNotFound { .. }
                | EngineError::ElementInstanceNotFound { .. }
                | EngineError::ProcessNotFound { .. }
                | EngineError::ElementNotFound { .. } => ApiError::NotFound(engine.to_string()),
                EngineError::Model(d) => ApiError::InvalidRequest(d),
                other => ApiError::Conflict(other.to_string()),
            },
        }
    }
}
