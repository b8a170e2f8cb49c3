//! Completes the OpenAPI document with what the middleware and extractors
//! add to every operation, so clients (and schemathesis) see every answer
//! the API can give: the security requirement and 401/403 of each route
//! that is not open (from the access table), 403 `cross-origin` on unsafe
//! methods, 400 where there is input to reject, 404 where the path names a
//! resource, and `application/problem+json` as the media type of every
//! problem body.

use utoipa::openapi::path::Operation;
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder};

use crate::access::{self, Access};

const PROBLEM: &str = "application/problem+json";
const PROBLEM_SCHEMA: &str = "#/components/schemas/ProblemDetails";

/// Adds the answers every operation can give to `openapi`.
pub(crate) fn complete(openapi: &mut OpenApi) {
    for (path, item) in openapi.paths.paths.iter_mut() {
        let operations = [
            ("GET", &mut item.get),
            ("POST", &mut item.post),
            ("PUT", &mut item.put),
            ("PATCH", &mut item.patch),
            ("DELETE", &mut item.delete),
        ];
        for (method, operation) in operations {
            if let Some(operation) = operation {
                complete_operation(method, path, operation);
            }
        }
    }
}

fn is_problem(content: &utoipa::openapi::Content) -> bool {
    matches!(&content.schema, Some(RefOr::Ref(r)) if r.ref_location == PROBLEM_SCHEMA)
}

fn complete_operation(method: &str, path: &str, operation: &mut Operation) {
    for response in operation.responses.responses.values_mut() {
        if let RefOr::T(response) = response {
            let problem_json = response
                .content
                .get("application/json")
                .is_some_and(is_problem);
            if problem_json {
                if let Some(content) = response.content.shift_remove("application/json") {
                    response.content.insert(PROBLEM.to_string(), content);
                }
            }
        }
    }
    let mut add = |status: &str, description: &str| {
        if !operation.responses.responses.contains_key(status) {
            let response = ResponseBuilder::new()
                .description(description)
                .content(
                    PROBLEM,
                    ContentBuilder::new()
                        .schema(Some(Ref::new(PROBLEM_SCHEMA)))
                        .build(),
                )
                .build();
            operation
                .responses
                .responses
                .insert(status.to_string(), RefOr::T(response));
        }
    };
    let method_value: http::Method = method.parse().unwrap_or(http::Method::GET);
    let unsafe_method = !matches!(method, "GET" | "HEAD" | "OPTIONS");
    match access::required_permission(&method_value, path) {
        Access::Open => {}
        _ => {
            add("401", "Not signed in, or the session or token is invalid");
            add(
                "403",
                "Not allowed: a missing permission, or a second factor to enrol first",
            );
        }
    }
    if unsafe_method {
        add("403", "A cross-origin request with a session cookie");
    }
    let has_input = operation.request_body.is_some()
        || operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
    if has_input {
        add("400", "Malformed request: body, query or path parameters");
    }
    if path.contains('{') {
        add("404", "No such resource");
    }
    if !matches!(
        access::required_permission(&method_value, path),
        Access::Open
    ) && operation.security.is_none()
    {
        operation.security = Some(vec![
            SecurityRequirement::new("session", Vec::<String>::new()),
            SecurityRequirement::new("token", Vec::<String>::new()),
        ]);
    }
}
