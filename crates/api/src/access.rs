//! The access table: which routes are open, which need a signed-in caller,
//! and which a permission. A route missing from the table is denied.

use flowdesk_identity::Permission;
use http::Method;

/// What a route requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Open,
    /// Any signed-in caller.
    Authenticated,
    /// A signed-in caller whose role grants the permission.
    Requires(Permission),
    /// Not in the table: denied to everybody (403), so no route can escape by omission.
    Deny,
}

use Access::{Authenticated, Open, Requires};
use Permission::*;

/// Every route of the API as (method, matched path, access).
pub const TABLE: &[(&str, &str, Access)] = &[
    ("GET", "/health/live", Open),
    ("GET", "/health/ready", Open),
    ("GET", "/metrics", Open),
    ("GET", "/api/auth/setup", Open),
    ("POST", "/api/auth/setup", Open),
    ("POST", "/api/auth/login", Open),
    // The second sign-in step authenticates with the pending session itself.
    ("POST", "/api/auth/login/mfa", Open),
    ("POST", "/api/auth/passkeys/second-factor/options", Open),
    ("POST", "/api/auth/passkeys/second-factor", Open),
    // Passwordless sign-in: the passkey is the credential.
    ("POST", "/api/auth/passkeys/sign-in/options", Open),
    ("POST", "/api/auth/passkeys/sign-in", Open),
    ("GET", "/api/auth/sessions", Authenticated),
    ("DELETE", "/api/auth/sessions/{id}", Authenticated),
    ("POST", "/api/auth/password", Authenticated),
    ("POST", "/api/auth/mfa/totp", Authenticated),
    ("POST", "/api/auth/mfa/totp/confirm", Authenticated),
    ("POST", "/api/auth/logout", Authenticated),
    ("GET", "/api/account/passkeys", Authenticated),
    ("POST", "/api/account/passkeys", Authenticated),
    ("POST", "/api/account/passkeys/options", Authenticated),
    ("DELETE", "/api/account/passkeys/{id}", Authenticated),
    ("GET", "/api/auth/me", Authenticated),
    ("GET", "/api/openapi.json", Authenticated),
    ("GET", "/api/definitions", Requires(DefinitionRead)),
    ("POST", "/api/definitions", Requires(DefinitionDeploy)),
    ("GET", "/api/definitions/{id}", Requires(DefinitionRead)),
    ("GET", "/api/definitions/{id}/xml", Requires(DefinitionRead)),
    ("GET", "/api/decisions", Requires(DefinitionRead)),
    ("POST", "/api/decisions", Requires(DefinitionDeploy)),
    // The evaluation history shows the data decisions saw, as instance
    // variables do: instance:read.
    ("GET", "/api/decisions/evaluations", Requires(InstanceRead)),
    (
        "GET",
        "/api/decisions/evaluations/{id}",
        Requires(InstanceRead),
    ),
    // Evaluating a decision runs business logic on caller data, as starting
    // an instance does: instance:start (admin, designer, operator).
    (
        "POST",
        "/api/decisions/{decision_id}/evaluate",
        Requires(InstanceStart),
    ),
    ("GET", "/api/instances", Requires(InstanceRead)),
    ("POST", "/api/instances", Requires(InstanceStart)),
    ("GET", "/api/instances/{id}", Requires(InstanceRead)),
    ("GET", "/api/instances/{id}/history", Requires(InstanceRead)),
    (
        "POST",
        "/api/instances/{id}/cancel",
        Requires(InstanceStart),
    ),
    (
        "GET",
        "/api/instances/{id}/variables",
        Requires(InstanceRead),
    ),
    // Changing a running instance is operator work, like cancelling it.
    (
        "PUT",
        "/api/instances/{id}/variables",
        Requires(InstanceStart),
    ),
    (
        "POST",
        "/api/instances/{id}/modify",
        Requires(InstanceStart),
    ),
    // Job workers need instance:start (admin, designer, operator).
    ("POST", "/api/jobs/activate", Requires(InstanceStart)),
    ("POST", "/api/jobs/{key}/complete", Requires(InstanceStart)),
    ("POST", "/api/jobs/{key}/fail", Requires(InstanceStart)),
    ("POST", "/api/jobs/{key}/error", Requires(InstanceStart)),
    ("POST", "/api/messages", Requires(InstanceStart)),
    ("POST", "/api/signals", Requires(InstanceStart)),
    ("GET", "/api/incidents", Requires(InstanceRead)),
    // Any signed-in caller may listen; the stream filters each change by
    // the caller's permissions (instance:read for instances, tasks,
    // incidents and jobs).
    ("GET", "/api/events", Authenticated),
    (
        "POST",
        "/api/incidents/{key}/resolve",
        Requires(InstanceStart),
    ),
    // People working user tasks: reading them needs instance:read, working
    // them instance:start (admin, designer, operator).
    ("GET", "/api/tasks", Requires(InstanceRead)),
    ("POST", "/api/tasks/{key}/claim", Requires(InstanceStart)),
    ("POST", "/api/tasks/{key}/unclaim", Requires(InstanceStart)),
    ("POST", "/api/tasks/{key}/complete", Requires(InstanceStart)),
    ("GET", "/api/users", Requires(UserRead)),
    ("POST", "/api/users", Requires(UserManage)),
    ("DELETE", "/api/users/{id}/sessions", Requires(UserManage)),
    ("DELETE", "/api/users/{id}/passkeys", Requires(UserManage)),
    ("GET", "/api/roles", Requires(UserRead)),
    ("PATCH", "/api/roles/{name}", Requires(UserManage)),
    ("GET", "/api/roles/{name}/grants", Requires(UserRead)),
    ("POST", "/api/roles/{name}/grants", Requires(UserManage)),
    (
        "DELETE",
        "/api/roles/{name}/grants/{id}",
        Requires(UserManage),
    ),
    ("GET", "/api/tokens", Authenticated),
    ("POST", "/api/tokens", Authenticated),
    ("DELETE", "/api/tokens/{id}", Authenticated),
    ("GET", "/api/audit", Requires(AuditRead)),
    ("GET", "/api/audit/export.csv", Requires(AuditRead)),
    ("GET", "/api/insights/status", Requires(ReportRead)),
    ("POST", "/api/insights/catch-up", Requires(ReportRead)),
    ("GET", "/api/insights/processes", Requires(ReportRead)),
    ("GET", "/api/insights/kpis", Requires(ReportRead)),
    ("GET", "/api/insights/series", Requires(ReportRead)),
    ("GET", "/api/insights/elements", Requires(ReportRead)),
    ("GET", "/api/insights/decisions", Requires(ReportRead)),
    ("GET", "/api/reports", Requires(ReportRead)),
    ("POST", "/api/reports", Requires(ReportManage)),
    ("GET", "/api/reports/{id}", Requires(ReportRead)),
    ("DELETE", "/api/reports/{id}", Requires(ReportManage)),
    ("POST", "/api/reports/{id}/run", Requires(ReportManage)),
    ("GET", "/api/reports/{id}/runs", Requires(ReportRead)),
    (
        "GET",
        "/api/reports/{id}/runs/{run_id}/download",
        Requires(ReportRead),
    ),
    ("PUT", "/api/reports/{id}", Requires(ReportManage)),
    // Dashboards and reports are further limited to the roles they list
    // (or report:manage): to anyone else they answer 404.
    ("GET", "/api/dashboards", Requires(ReportRead)),
    ("POST", "/api/dashboards", Requires(ReportManage)),
    ("GET", "/api/dashboards/{id}", Requires(ReportRead)),
    ("PUT", "/api/dashboards/{id}", Requires(ReportManage)),
    ("DELETE", "/api/dashboards/{id}", Requires(ReportManage)),
    (
        "GET",
        "/api/dashboards/{id}/tiles/{tile_id}",
        Requires(ReportRead),
    ),
    (
        "GET",
        "/api/dashboards/{id}/tiles/{tile_id}/chart",
        Requires(ReportRead),
    ),
];

/// What `method` on the route `matched_path` (axum's `MatchedPath`, e.g.
/// `/api/definitions/{id}`) requires; [`Access::Deny`] when not in the table.
pub fn required_permission(method: &Method, matched_path: &str) -> Access {
    TABLE
        .iter()
        .find(|(m, p, _)| *m == method.as_str() && *p == matched_path)
        .map(|(_, _, access)| *access)
        .unwrap_or(Access::Deny)
}

/// Where a route names the one resource a resource grant
/// (`flowdesk_identity::rbac::ResourceType`) may allow it on, for a caller
/// whose role lacks the route's permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceOf {
    /// The process of the instance in the path parameter `id`.
    InstanceInPath,
    /// The process a start request's body names (`process_id`, or the
    /// process of `definition_id`).
    StartBody,
    /// The decision in the path parameter `decision_id`.
    DecisionInPath,
    /// The report (by id or name) in the path parameter `id`.
    ReportInPath,
}

use ResourceOf::{DecisionInPath, InstanceInPath, ReportInPath, StartBody};

/// The routes a resource grant can open, as (method, matched path, resource).
pub const RESOURCE_ROUTES: &[(&str, &str, ResourceOf)] = &[
    ("POST", "/api/instances", StartBody),
    ("GET", "/api/instances/{id}", InstanceInPath),
    ("GET", "/api/instances/{id}/history", InstanceInPath),
    ("GET", "/api/instances/{id}/variables", InstanceInPath),
    ("PUT", "/api/instances/{id}/variables", InstanceInPath),
    ("POST", "/api/instances/{id}/cancel", InstanceInPath),
    ("POST", "/api/instances/{id}/modify", InstanceInPath),
    (
        "POST",
        "/api/decisions/{decision_id}/evaluate",
        DecisionInPath,
    ),
    ("GET", "/api/reports/{id}", ReportInPath),
    ("DELETE", "/api/reports/{id}", ReportInPath),
    ("POST", "/api/reports/{id}/run", ReportInPath),
    ("GET", "/api/reports/{id}/runs", ReportInPath),
    (
        "GET",
        "/api/reports/{id}/runs/{run_id}/download",
        ReportInPath,
    ),
];

/// The resource `method` on `matched_path` acts on, when a resource grant
/// can open the route.
pub fn resource_of(method: &Method, matched_path: &str) -> Option<ResourceOf> {
    RESOURCE_ROUTES
        .iter()
        .find(|(m, p, _)| *m == method.as_str() && *p == matched_path)
        .map(|(_, _, resource)| *resource)
}

/// Same as [`required_permission`].
pub fn required(method: &Method, matched_path: &str) -> Access {
    required_permission(method, matched_path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_routes_are_denied() {
        assert_eq!(required(&Method::GET, "/api/secret"), Access::Deny);
        assert_eq!(required(&Method::PUT, "/api/definitions"), Access::Deny);
        assert_eq!(required(&Method::GET, "/health/live"), Access::Open);
        assert_eq!(
            required(&Method::POST, "/api/definitions"),
            Requires(DefinitionDeploy)
        );
    }

    #[test]
    fn resource_routes_are_routes_that_require_a_grantable_permission() {
        use flowdesk_identity::rbac::ResourceType;
        for (method, path, resource) in RESOURCE_ROUTES {
            let method: Method = method.parse().unwrap();
            let Access::Requires(permission) = required(&method, path) else {
                panic!("{method} {path} needs no permission a grant could give");
            };
            let resource_type = match resource {
                InstanceInPath | StartBody => ResourceType::Process,
                DecisionInPath => ResourceType::Decision,
                ReportInPath => ResourceType::Report,
            };
            assert!(
                resource_type.grantable().contains(&permission),
                "{permission} on a {resource_type} cannot be granted, yet {method} {path} needs it"
            );
        }
        assert_eq!(resource_of(&Method::GET, "/api/instances"), None);
    }
}
