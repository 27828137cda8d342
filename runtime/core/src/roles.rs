//! The names of members' roles, which flows use in approval assignees
//! (`role:operator`). What each role may do is decided by the server's
//! policies, never by this list's order.

/// The roles a member of a tenant can have.
pub const ROLES: [&str; 6] = ["owner", "admin", "developer", "operator", "viewer", "app_user"];

/// How an approval's assignee list names a role rather than a user.
pub const ROLE_ASSIGNEE: &str = "role:";
