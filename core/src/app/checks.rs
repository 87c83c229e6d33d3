//! Registration checks: what `App::router_on` refuses before it builds a router,
//! each problem named, where axum would panic or two registrations would share
//! schemas, routes or rows.

use super::{App, Error};
use crate::auth::Permission;

impl App {
    /// Refuses an app with any registration problem, naming every one of them (see
    /// [`App::registration_problems`]), so that a start fixes them all at once.
    pub(crate) fn check_registrations(&self) -> Result<(), Error> {
        let problems = self.registration_problems();
        match problems.as_slice() {
            [] => Ok(()),
            [one] => Err(Error::Config(one.clone())),
            many => Err(Error::Config(format!(
                "{} problems:\n  {}",
                many.len(),
                many.join("\n  ")
            ))),
        }
    }

    /// Every problem of the configuration and the registrations: malformed settings,
    /// two resources with one name, path or table (they would share schemas, routes or
    /// rows; axum would panic on the routes), guarded operations with no authenticator,
    /// relations to resources not registered. All of them, not the first: `check` lists
    /// them, and a deployment should not fix one per start.
    pub(crate) fn registration_problems(&self) -> Vec<String> {
        let mut problems = self.config_errors.clone();
        // A malformed authenticator setting (a short `FERREST_JWT_SECRET`) leaves the app
        // without the authenticator it meant: its consequences are not problems of
        // their own, and listing them would bury the cause.
        if self.authenticators.is_empty() && self.config_errors.is_empty() {
            for owned in self
                .resources
                .iter()
                .filter(|r| r.spec.owner_field().is_some())
            {
                problems.push(format!(
                    "`{}` has an `owner` field, but the app has no authenticator to say who calls; add `.authenticate(...)` or set `FERREST_JWT_SECRET`",
                    owned.spec.name
                ));
            }
            let guarded = self.guarded_operations();
            let needing: Vec<_> = guarded
                .iter()
                .filter(|o| o.permissions.iter().any(|p| *p != Permission::Public))
                .collect();
            // One problem with one fix: naming the first operation says what is meant.
            if let Some(operation) = needing.first() {
                let others = match needing.len() - 1 {
                    0 => String::new(),
                    1 => " (and 1 other operation)".to_owned(),
                    n => format!(" (and {n} other operations)"),
                };
                problems.push(format!(
                    "`{} {}` needs credentials{others}, but the app has no authenticator; add `.authenticate(...)` or set `FERREST_JWT_SECRET`",
                    operation.method.to_uppercase(),
                    operation.path
                ));
            }
        }
        for resource in &self.resources {
            if let Err(problem) = resource.spec.check_defaults() {
                problems.push(problem);
            }
        }
        // A relation needs its other side's table (the foreign key refers to it) and
        // routes (an included row links to them).
        for resource in &self.resources {
            for relation in resource.spec.relations {
                let target = (relation.target)();
                if !self.resources.iter().any(|r| std::ptr::eq(r.spec, target)) {
                    problems.push(format!(
                        "`{}` relates to `{}` (`{}`), which is not registered; add `.resource::<{}>()`",
                        resource.spec.name, target.name, relation.name, target.name
                    ));
                    continue;
                }
                // An include would serve rows the target keeps out of its own routes.
                let readable = target.operations.get || target.operations.list;
                if resource.spec.includes.contains(&relation.name) && !readable {
                    problems.push(format!(
                        "`{}` allows `include({})`, but `{}` serves neither `list` nor `get`",
                        resource.spec.name, relation.name, target.name
                    ));
                }
            }
        }
        for (i, a) in self.resources.iter().enumerate() {
            for b in &self.resources[..i] {
                let (a, b) = (a.spec, b.spec);
                // One problem per pair: a resource registered twice clashes in all three.
                if a.name == b.name {
                    problems.push(format!(
                        "two resources are named `{}`; schema names must be unique",
                        a.name
                    ));
                } else if a.path == b.path {
                    problems.push(format!(
                        "`{}` and `{}` both use the path `{}`; set `#[rest(path = ...)]`",
                        b.name, a.name, a.path
                    ));
                } else if a.table == b.table {
                    problems.push(format!(
                        "`{}` and `{}` both use the table `{}`; set `#[rest(table = ...)]`",
                        b.name, a.name, a.table
                    ));
                }
            }
        }
        self.check_endpoint_routes(&mut problems);
        for block in &self.endpoints {
            if let Some(hooks) = &block.hooks
                && !self
                    .resources
                    .iter()
                    .any(|r| std::ptr::eq(r.spec, hooks.spec))
            {
                problems.push(format!(
                    "`{}` declares lifecycle hooks, but `{}` is not registered; add `.resource::<{}>()`",
                    block.name, hooks.spec.name, hooks.spec.name
                ));
            }
        }
        problems
    }

    /// Two routes that axum cannot tell apart make it panic, and two operations with one
    /// id break generated clients; this names both sides instead. axum tells routes by
    /// their shape: `/books/{id}` and `/books/{book_id}` are one route, whatever the
    /// methods.
    fn check_endpoint_routes(&self, problems: &mut Vec<String>) {
        // (method, path, operation id, owner)
        let mut taken: Vec<(String, String, String, String)> = Vec::new();
        for resource in &self.resources {
            for route in crate::http::crud::operation_routes(resource.spec) {
                let owner = format!("the CRUD routes of `{}`", resource.spec.name);
                taken.push((
                    route.method.to_owned(),
                    route.path,
                    route.operation_id,
                    owner,
                ));
            }
        }
        if self.docs {
            for path in ["/openapi.json", "/openapi-3.0.json", "/docs"] {
                taken.push((
                    "get".to_owned(),
                    path.to_owned(),
                    String::new(),
                    "the documentation".to_owned(),
                ));
            }
        }
        for block in &self.endpoints {
            for endpoint in &block.endpoints {
                let owner = format!("`{}`", block.name);
                let route = format!(
                    "`{} {}` of {owner}",
                    endpoint.method.to_uppercase(),
                    endpoint.path
                );
                for (method, path, id, other) in &taken {
                    if ferrest_shared::routes_clash(
                        (method, path),
                        (endpoint.method, endpoint.path),
                    ) {
                        problems.push(format!(
                            "{route} is also served by {other} (`{} {path}`); give one of them another path, with the same parameter names where the shapes match",
                            method.to_uppercase()
                        ));
                    }
                    if !id.is_empty() && id == endpoint.operation_id {
                        problems.push(format!(
                            "{route} has the operation id `{id}` of {other}; set `operation_id = \"...\"` on the method"
                        ));
                    }
                }
                taken.push((
                    endpoint.method.to_owned(),
                    endpoint.path.to_owned(),
                    endpoint.operation_id.to_owned(),
                    owner,
                ));
            }
        }
    }
}
