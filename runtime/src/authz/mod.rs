//! Authorization: one Cedar policy set (`policies.cedar`) decides every
//! request — which role may do which action in a tenant, and which flows a
//! member limited to named flows may run. Nothing else in the code compares
//! roles.

use std::collections::HashSet;
use std::str::FromStr;

use cedar_policy::{Authorizer, Context, Decision, Entities, Entity, EntityUid, PolicySet, Request};
use serde_json::json;

use crate::memo::Memo;

const POLICIES: &str = include_str!("policies.cedar");

pub use scena_core::{ROLE_ASSIGNEE, ROLES};

/// Everything a request can ask to do in a tenant.
pub const ACTIONS: [&str; 14] = [
    "read",
    "edit",
    "publish",
    "run",
    "approve",
    "operate",
    "manage_members",
    "manage_grants",
    "manage_hosts",
    "audit",
    "manage_owners",
    "publish_apps",
    "install_apps",
    "use_light_apps",
];

/// An action as a person would say it, for refusals ("may not read the audit log").
pub fn in_words(action: &str) -> &'static str {
    match action {
        "read" => "see this tenant's flows, runs and settings",
        "edit" => "edit flow drafts",
        "publish" => "publish flow versions, plugins, webhooks or schedules",
        "run" => "start runs",
        "approve" => "approve or reject",
        "operate" => "cancel, pause, retry, skip or force-fail runs",
        "manage_members" => "manage members, invitations or others' tokens",
        "manage_grants" => "change grants or secrets",
        "manage_hosts" => "change the host inventory",
        "audit" => "read the audit log",
        "manage_owners" => "change owners",
        "publish_apps" => "publish apps to the marketplace",
        "install_apps" => "install, upgrade or uninstall apps",
        "use_light_apps" => "use light apps",
        "platform" => "administer the platform",
        _ => "do this",
    }
}

/// The subject of the questions that compare roles: no user is called this
/// (usernames have no `@`), so no policy naming a user can match it.
const ANY_SUBJECT: &str = "@role";

pub struct Authz {
    policies: PolicySet,
    authorizer: Authorizer,
    /// Decisions already made. The policies are fixed for the life of the
    /// process and a decision depends on nothing but the question, so the
    /// same question always gets the same answer; remembering it spares
    /// building Cedar's entities and context on every request.
    decided: Memo<AskKey, bool>,
}

/// An [`Ask`], owned: the key of a remembered decision.
#[derive(PartialEq, Eq, Hash)]
struct AskKey {
    subject: String,
    role: String,
    tenant: String,
    action: String,
    flow: Option<String>,
    allowed_flows: Option<Vec<String>>,
    assignees: Option<Vec<String>>,
}

impl From<&Ask<'_>> for AskKey {
    fn from(ask: &Ask<'_>) -> AskKey {
        AskKey {
            subject: ask.subject.to_string(),
            role: ask.role.to_string(),
            tenant: ask.tenant.to_string(),
            action: ask.action.to_string(),
            flow: ask.flow.map(str::to_string),
            allowed_flows: ask.allowed_flows.map(<[String]>::to_vec),
            assignees: ask.assignees.map(<[String]>::to_vec),
        }
    }
}

/// One question: may `subject`, with `role` in `tenant`, do `action`?
#[derive(Clone, Copy)]
pub struct Ask<'a> {
    pub subject: &'a str,
    pub role: &'a str,
    pub tenant: &'a str,
    pub action: &'a str,
    /// For `run`: the flow, and the flows the member is limited to (if any).
    pub flow: Option<&'a str>,
    pub allowed_flows: Option<&'a [String]>,
    /// For `approve`: the assignees of the approval node (usernames and
    /// `role:NAME`), if the node is known.
    pub assignees: Option<&'a [String]>,
}

fn uid(kind: &str, id: &str) -> anyhow::Result<EntityUid> {
    EntityUid::from_str(&format!("{kind}::{}", json!(id))).map_err(|e| anyhow::anyhow!("bad entity id `{id}`: {e}"))
}

impl Authz {
    pub fn new() -> anyhow::Result<Authz> {
        let policies =
            PolicySet::from_str(POLICIES).map_err(|e| anyhow::anyhow!("policies.cedar does not parse: {e}"))?;
        Ok(Authz { policies, authorizer: Authorizer::new(), decided: Memo::new(None) })
    }

    /// The decision; anything malformed is a deny.
    pub fn allows(&self, ask: &Ask<'_>) -> bool {
        let key = AskKey::from(ask);
        if let Some(decision) = self.decided.get(&key, |_| true) {
            return decision;
        }
        match self.decide(ask) {
            Ok(decision) => {
                // Nothing changes a decision: no change to race with.
                self.decided.keep(key, decision, self.decided.changes());
                decision
            }
            Err(e) => {
                tracing::error!("authorization failed closed: {e:#}");
                false
            }
        }
    }

    /// The decision for a caller holding several roles at once — a tenant
    /// token acts with the rights both its own role and its maker's current
    /// role allow: allowed only if every one of `roles` is.
    pub fn allows_all(&self, roles: &[String], ask: &Ask<'_>) -> bool {
        !roles.is_empty() && roles.iter().all(|role| self.allows(&Ask { role, ..*ask }))
    }

    /// Whether holding `roles` gives every right role `wanted` gives — what
    /// it takes to hand `wanted` out (to a member, an invitation or a token)
    /// or to change or remove a member who has it. Roles are not a ladder
    /// (a developer and an operator each hold rights the other lacks), so
    /// this asks the policies action by action instead of comparing ranks.
    pub fn covers(&self, roles: &[String], wanted: &str, tenant: &str) -> bool {
        ROLES.contains(&wanted)
            && ACTIONS.iter().all(|action| {
                let ask = Ask {
                    subject: ANY_SUBJECT,
                    role: wanted,
                    tenant,
                    action,
                    flow: None,
                    allowed_flows: None,
                    assignees: None,
                };
                !self.allows(&ask) || self.allows_all(roles, &ask)
            })
    }

    /// Whether holding `roles` lets one add a member with role `wanted` now:
    /// manage members at all, and [`Authz::covers`] that role (what an
    /// invitation's maker must still hold when it is accepted).
    pub fn may_admit(&self, roles: &[String], wanted: &str, tenant: &str) -> bool {
        let ask = Ask {
            subject: ANY_SUBJECT,
            role: "",
            tenant,
            action: "manage_members",
            flow: None,
            allowed_flows: None,
            assignees: None,
        };
        self.allows_all(roles, &ask) && self.covers(roles, wanted, tenant)
    }

    fn decide(&self, ask: &Ask<'_>) -> anyhow::Result<bool> {
        let principal = uid("User", ask.subject)?;
        let role = uid("Role", ask.role)?;
        let user = Entity::new_no_attrs(principal.clone(), HashSet::from([role.clone()]));
        let entities = Entities::from_entities([user, Entity::new_no_attrs(role, HashSet::new())], None)?;
        let context = Context::from_json_value(
            json!({
                "limited": ask.allowed_flows.is_some(),
                "allowed_flows": ask.allowed_flows.unwrap_or_default(),
                "flow": ask.flow.unwrap_or_default(),
                "assigned": ask.assignees.is_some_and(|a| !a.is_empty()),
                "assignees": ask.assignees.unwrap_or_default(),
                "caller_names": [ask.subject, format!("{ROLE_ASSIGNEE}{}", ask.role)],
            }),
            None,
        )?;
        let request = Request::new(principal, uid("Action", ask.action)?, uid("Tenant", ask.tenant)?, context, None)?;
        let response = self.authorizer.is_authorized(&request, &self.policies, &entities);
        Ok(response.decision() == Decision::Allow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The permission matrix, as the README states it.
    const MATRIX: [(&str, &[&str]); 6] = [
        (
            "owner",
            &[
                "read",
                "edit",
                "publish",
                "run",
                "approve",
                "operate",
                "manage_members",
                "manage_grants",
                "manage_hosts",
                "audit",
                "manage_owners",
                "publish_apps",
                "install_apps",
                "use_light_apps",
            ],
        ),
        (
            "admin",
            &[
                "read",
                "edit",
                "publish",
                "run",
                "approve",
                "operate",
                "manage_members",
                "manage_grants",
                "manage_hosts",
                "audit",
                "publish_apps",
                "install_apps",
                "use_light_apps",
            ],
        ),
        ("developer", &["read", "edit", "publish", "run", "use_light_apps"]),
        ("operator", &["read", "run", "approve", "operate", "use_light_apps"]),
        ("viewer", &["read"]),
        ("app_user", &["use_light_apps"]),
    ];

    fn ask<'a>(role: &'a str, action: &'a str) -> Ask<'a> {
        Ask {
            subject: "alice",
            role,
            tenant: "default",
            action,
            flow: Some("release"),
            allowed_flows: None,
            assignees: None,
        }
    }

    #[test]
    fn an_approval_with_assignees_is_decided_by_them_or_an_owner_or_admin() {
        let authz = Authz::new().unwrap();
        let decide = |subject: &str, role: &str, assignees: &[&str]| {
            let assignees: Vec<String> = assignees.iter().map(|a| a.to_string()).collect();
            authz.allows(&Ask { subject, assignees: Some(&assignees), ..ask(role, "approve") })
        };
        assert!(decide("alice", "operator", &["alice"]), "a listed user");
        assert!(!decide("bob", "operator", &["alice"]), "an operator not listed");
        assert!(decide("bob", "operator", &["alice", "role:operator"]), "a listed role");
        assert!(!decide("bob", "operator", &["role:operat"]), "roles match whole");
        assert!(
            decide("carol", "admin", &["alice"]) && decide("olga", "owner", &["alice"]),
            "owners and admins may always decide"
        );
        assert!(!decide("vic", "viewer", &["vic"]), "being listed does not give a viewer the approve permission");
        assert!(!decide("dev", "developer", &["role:developer"]), "nor a developer");
        assert!(decide("bob", "operator", &[]), "no assignees: anyone who may approve");
    }

    #[test]
    fn the_policies_give_each_role_exactly_its_row_of_the_matrix() {
        let authz = Authz::new().unwrap();
        for (role, allowed) in MATRIX {
            for action in ACTIONS {
                assert_eq!(authz.allows(&ask(role, action)), allowed.contains(&action), "{role} {action}");
            }
        }
    }

    #[test]
    fn a_role_is_covered_only_by_roles_holding_all_its_rights() {
        let authz = Authz::new().unwrap();
        let covers = |mine: &[&str], wanted| {
            authz.covers(&mine.iter().map(|r| r.to_string()).collect::<Vec<_>>(), wanted, "default")
        };
        assert!(covers(&["owner"], "owner") && covers(&["owner"], "admin"));
        assert!(covers(&["admin"], "admin") && covers(&["admin"], "developer") && covers(&["admin"], "operator"));
        assert!(!covers(&["admin"], "owner"), "owners manage owners; admins do not");
        assert!(
            !covers(&["developer"], "operator"),
            "a developer may not approve or operate, so may not hand that out"
        );
        assert!(!covers(&["operator"], "developer"), "nor an operator edit or publish");
        assert!(covers(&["developer"], "viewer") && covers(&["operator"], "viewer") && covers(&["viewer"], "viewer"));
        assert!(!covers(&["viewer"], "operator"));
        assert!(
            !covers(&["admin"], "root") && !covers(&["root"], "viewer") && !covers(&[], "viewer"),
            "unknown roles and nobody cover nothing"
        );
        assert!(
            covers(&["operator", "admin"], "operator") && !covers(&["operator", "admin"], "developer"),
            "several roles: their common rights"
        );
    }

    #[test]
    fn several_roles_allow_only_what_each_allows() {
        let authz = Authz::new().unwrap();
        let roles = |r: &[&str]| r.iter().map(|r| r.to_string()).collect::<Vec<_>>();
        assert!(authz.allows_all(&roles(&["operator", "admin"]), &ask("", "approve")));
        assert!(
            !authz.allows_all(&roles(&["operator", "admin"]), &ask("", "edit")),
            "the token's role caps its maker's"
        );
        assert!(
            !authz.allows_all(&roles(&["admin", "viewer"]), &ask("", "run")),
            "the maker's current role caps the token's"
        );
        assert!(!authz.allows_all(&[], &ask("", "read")));
    }

    #[test]
    fn unknown_roles_and_actions_are_denied() {
        let authz = Authz::new().unwrap();
        assert!(!authz.allows(&ask("superuser", "read")));
        assert!(!authz.allows(&ask("viewer", "edit\") || (true")), "ids are quoted, not spliced");
        assert!(!authz.allows(&Ask { subject: "x\"; permit(", ..ask("viewer", "edit") }));
    }

    #[test]
    fn a_member_limited_to_named_flows_runs_only_those() {
        let authz = Authz::new().unwrap();
        let allowed = vec!["hotfix".to_string()];
        let limited = |flow| Ask { flow: Some(flow), allowed_flows: Some(&allowed), ..ask("operator", "run") };
        assert!(authz.allows(&limited("hotfix")));
        assert!(!authz.allows(&limited("release")));
        assert!(
            authz.allows(&Ask { allowed_flows: Some(&allowed), ..ask("operator", "read") }),
            "the limit is on running"
        );
    }

    #[test]
    fn a_remembered_decision_answers_only_the_same_question() {
        let authz = Authz::new().unwrap();
        let (hotfix, release) = (vec!["hotfix".to_string()], vec!["release".to_string()]);
        let run = |flow, allowed: &Vec<String>| {
            authz.allows(&Ask { flow: Some(flow), allowed_flows: Some(allowed), ..ask("operator", "run") })
        };
        for _ in 0..2 {
            assert!(run("hotfix", &hotfix), "asked twice, allowed twice");
            assert!(!run("hotfix", &release), "another limit is another question");
            assert!(!run("release", &hotfix), "another flow is another question");
            assert!(!authz.allows(&ask("viewer", "run")), "another role is another question");
        }
        let alice = vec!["alice".to_string()];
        let approve = |subject| authz.allows(&Ask { subject, assignees: Some(&alice), ..ask("operator", "approve") });
        assert!(approve("alice") && !approve("bob") && approve("alice"));
        // More questions than are remembered: the memory starts afresh, answers stay right.
        for i in 0..crate::memo::CAPACITY + 10 {
            let subject = format!("user{i}");
            assert!(!authz.allows(&Ask { subject: &subject, assignees: Some(&alice), ..ask("operator", "approve") }));
        }
        assert!(approve("alice") && !approve("bob"));
    }
}
