//! Registration checks: what `App::router_on` refuses before it builds a router,
//! each problem named, where axum would panic or two registrations would share
//! schemas, routes or rows.

use super::{App, Error};
use crate::auth::Permission;

impl App {
    /// Two resources with one name, path or table would share schemas, routes or rows;
    /// axum would panic on the routes, so this says which resources clash instead.
    pub(crate) fn check_registrations(&self) -> Result<(), Error> {
        if let Some(error) = &self.config_error {
            return Err(Error::Config(error.clone()));
        }
        if self.authenticators.is_empty() {
            if let Some(owned) = self
                .resources
                .iter()
                .find(|r| r.spec.owner_field().is_some())
            {
                return Err(Error::Config(format!(
                    "`{}` has an `owner` field, but the app has no authenticator to say who calls; add `.authenticate(...)` or set `FERREST_JWT_SECRET`",
                    owned.spec.name
                )));
            }
            let guarded = self.guarded_operations();
            if let Some(operation) = guarded
                .iter()
                .find(|o| o.permissions.iter().any(|p| *p != Permission::Public))
            {
                return Err(Error::Config(format!(
                    "`{} {}` needs credentials, but the app has no authenticator; add `.authenticate(...)` or set `FERREST_JWT_SECRET`",
                    operation.method.to_uppercase(),
                    operation.path
                )));
            }
        }
        for resource in &self.resources {
            resource.spec.check_defaults().map_err(Error::Config)?;
        }
        // A relation needs its other side's table (the foreign key refers to it) and
        // routes (an included row links to them).
        for resource in &self.resources {
            for relation in resource.spec.relations {
                let target = (relation.target)();
                if !self.resources.iter().any(|r| std::ptr::eq(r.spec, target)) {
                    return Err(Error::Config(format!(
                        "`{}` relates to `{}` (`{}`), which is not registered; add `.resource::<{}>()`",
                        resource.spec.name, target.name, relation.name, target.name
                    )));
                }
                // An include would serve rows the target keeps out of its own routes.
                let readable = target.operations.get || target.operations.list;
                if resource.spec.includes.contains(&relation.name) && !readable {
                    return Err(Error::Config(format!(
                        "`{}` allows `include({})`, but `{}` serves neither `list` nor `get`",
                        resource.spec.name, relation.name, target.name
                    )));
                }
            }
        }
        for (i, a) in self.resources.iter().enumerate() {
            for b in &self.resources[..i] {
                let (a, b) = (a.spec, b.spec);
                let clash = if a.name == b.name {
                    Some(format!(
                        "two resources are named `{}`; schema names must be unique",
                        a.name
                    ))
                } else if a.path == b.path {
                    Some(format!(
                        "`{}` and `{}` both use the path `{}`; set `#[rest(path = ...)]`",
                        b.name, a.name, a.path
                    ))
                } else if a.table == b.table {
                    Some(format!(
                        "`{}` and `{}` both use the table `{}`; set `#[rest(table = ...)]`",
                        b.name, a.name, a.table
                    ))
                } else {
                    None
                };
                if let Some(clash) = clash {
                    return Err(Error::Config(clash));
                }
            }
        }
        self.check_endpoint_routes()?;
        for block in &self.endpoints {
            if let Some(hooks) = &block.hooks
                && !self
                    .resources
                    .iter()
                    .any(|r| std::ptr::eq(r.spec, hooks.spec))
            {
                return Err(Error::Config(format!(
                    "`{}` declares lifecycle hooks, but `{}` is not registered; add `.resource::<{}>()`",
                    block.name, hooks.spec.name, hooks.spec.name
                )));
            }
        }
        Ok(())
    }

    /// Two routes that axum cannot tell apart make it panic, and two operations with one
    /// id break generated clients; this names both sides instead. axum tells routes by
    /// their shape: `/books/{id}` and `/books/{book_id}` are one route, whatever the
    /// methods.
    fn check_endpoint_routes(&self) -> Result<(), Error> {
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
                        return Err(Error::Config(format!(
                            "{route} is also served by {other} (`{} {path}`); give one of them another path, with the same parameter names where the shapes match",
                            method.to_uppercase()
                        )));
                    }
                    if !id.is_empty() && id == endpoint.operation_id {
                        return Err(Error::Config(format!(
                            "{route} has the operation id `{id}` of {other}; set `operation_id = \"...\"` on the method"
                        )));
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
        Ok(())
    }
}
