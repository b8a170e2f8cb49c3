//! HTTP behaviour of the one Router, driven with `tower::ServiceExt::oneshot`
//! (no sockets), each database test on SQLite and on PostgreSQL.

mod account_admin;
mod common;
mod dashboards;
mod decision_providers;
mod decisions;
mod forms;
mod insights;
mod instance_paging;
mod live;
mod malformed_json;
mod operations;
mod passkeys;
mod rbac_matrix;
mod reports;
mod resource_grants;
mod route_walk;
mod security;
mod sensitive;
mod signals;
mod tasks;
mod upload;
mod version_tags;
mod vertical_slice;
mod workflow;
