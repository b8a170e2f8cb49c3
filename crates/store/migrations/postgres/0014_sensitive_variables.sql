-- Sensitive process variables: their values are sealed inside the JSON
-- columns that hold variables (instances.variables, instances.state_json,
-- jobs.variables, messages.variables; see crates/store/src/sensitive.rs), so
-- no column changes. API responses show them as "****" unless the principal
-- holds variable:unmask, which only the admin preset role gets.
INSERT INTO role_permissions (role, permission) VALUES ('admin', 'variable:unmask');
