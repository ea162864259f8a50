//! Per-route policy: the `[[route]]` entries of the config file give a path prefix (and
//! optionally a method) its own required ehts names, maximum age, leeway and body limit, so one
//! gateway can be strict where a route needs it without being strict everywhere. The most
//! specific route wins; every route shares one replay store, so a `jti` accepted on one route
//! is a replay on every other.

use std::path::Path;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::middleware::Next;
use axum::response::Response;
use serde::de::DeserializeOwned;
use serde_json::Value;
use taap::settings::{NameStyle, Setting};
use taap::validate::ValidatorOptions;
use taap::PopTokenValidator;
use taap_tower::replay::AdmitFuture;
use taap_tower::{store_from_url, Admission, MemoryStore, PopLayer, ReplayStore};

use super::config::config_error;
use super::pop::REQUIRED_NAMES;

/// The keys a `[[route]]` takes, in the order an unknown-key message lists them.
pub const ROUTE_KEYS: [&str; 6] = ["prefix", "method", "required", "max_age", "leeway", "max_body"];

/// Longest piece of a configured value a message quotes, so a message stays one short line.
const SHOWN_CHARS: usize = 60;

/// One `[[route]]`: what requests under `prefix` (with `method`, when given) are checked
/// against; every `None` falls back to the gateway's default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Route {
    /// Path prefix starting with `/`, compared byte for byte with the path as sent (like
    /// Envoy's `prefix`: `/orders` also covers `/orders-archive`).
    pub prefix: String,
    /// The method in capitals, e.g. `POST`; `None` covers every method.
    pub method: Option<String>,
    /// ehts names tokens must sign here besides the gateway's own (`Authorization`, `uri`,
    /// `http-method`), which no route can drop.
    pub required: Vec<String>,
    /// Oldest a token may be, from its `iat`, in seconds (1 to 3600; default 60).
    pub max_age_secs: Option<i64>,
    /// Clock leeway in seconds (0 to 300; default 10).
    pub leeway_secs: Option<i64>,
    /// Largest body read and hashed, in bytes (413 beyond; default the gateway's 1 MiB).
    pub max_body_bytes: Option<usize>,
}

/// The checked `[[route]]` entries, each with its validator built; empty when none are given.
#[derive(Debug, Clone, Default)]
pub struct Routes {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    route: Route,
    validator: PopTokenValidator,
}

impl Routes {
    /// Checks `routes` the way the config file's are checked; an error names the route
    /// (`route 2 (POST /orders)`) and the key.
    pub fn new(routes: Vec<Route>) -> taap::Result<Routes> {
        let mut entries: Vec<Entry> = Vec::with_capacity(routes.len());
        for (index, route) in routes.into_iter().enumerate() {
            let label = label(index, Some(&route.prefix), route.method.as_deref());
            let same = entries
                .iter()
                .position(|entry| entry.route.prefix == route.prefix && entry.route.method == route.method);
            if let Some(first) = same {
                return Err(config_error(format!(
                    "{label}: prefix and method are those of route {} already",
                    first + 1
                )));
            }
            let validator =
                validator(&route).map_err(|message| config_error(format!("{label}: {message}")))?;
            entries.push(Entry { route, validator });
        }
        Ok(Routes { entries })
    }

    /// The `[[route]]` tables of the config file at `file`, checked; an error is one line
    /// naming the file, the route and the key.
    pub fn from_toml(file: &Path, tables: &[toml::Table]) -> taap::Result<Routes> {
        let in_file = |message: &str| config_error(format!("{}: {message}", file.display()));
        let routes = tables
            .iter()
            .enumerate()
            .map(|(index, table)| {
                Route::from_table(table).map_err(|message| {
                    let prefix = table.get("prefix").and_then(toml::Value::as_str);
                    let method = table.get("method").and_then(toml::Value::as_str);
                    in_file(&format!("{}: {message}", label(index, prefix, method)))
                })
            })
            .collect::<taap::Result<Vec<_>>>()?;
        Routes::new(routes).map_err(|error| in_file(&message(error)))
    }

    /// Whether no route is configured (every request gets the gateway's defaults).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The routes, in the order they were given.
    pub fn iter(&self) -> impl Iterator<Item = &Route> {
        self.entries.iter().map(|entry| &entry.route)
    }

    /// The route a `method` request for `path` gets: the longest prefix, and of one prefix the
    /// entry naming the method over the one without; `None`: the gateway's defaults.
    pub fn matching(&self, method: &str, path: &str) -> Option<&Route> {
        self.position(method, path).and_then(|index| self.entries.get(index)).map(|entry| &entry.route)
    }

    /// The largest body limit a route sets, for the listener's outer limit.
    pub fn largest_body_bytes(&self) -> Option<usize> {
        self.entries.iter().filter_map(|entry| entry.route.max_body_bytes).max()
    }

    fn position(&self, method: &str, path: &str) -> Option<usize> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, entry)| entry.route.covers(method, path))
            .max_by_key(|(_, entry)| (entry.route.prefix.len(), entry.route.method.is_some()))
            .map(|(index, _)| index)
    }

    /// Seconds after `iat` until which some route (or the default) may still accept a token:
    /// how long the shared store must remember its `jti`.
    fn horizon_secs(&self, default: &PopTokenValidator) -> i64 {
        let reach = |validator: &PopTokenValidator| {
            validator.options().max_age_secs.saturating_add(validator.options().leeway_secs)
        };
        self.entries.iter().map(|entry| reach(&entry.validator)).fold(reach(default), i64::max)
    }
}

impl Route {
    /// Whether this route covers a `method` request for `path`.
    fn covers(&self, method: &str, path: &str) -> bool {
        path.starts_with(self.prefix.as_str()) && self.method.as_deref().is_none_or(|own| own == method)
    }

    /// A `[[route]]` table, its keys and value types checked (values by the settings schema).
    fn from_table(table: &toml::Table) -> Result<Route, String> {
        if let Some(unknown) = table.keys().find(|key| !ROUTE_KEYS.contains(&key.as_str())) {
            return Err(format!("unknown key {}; a route takes {}", shown(unknown), ROUTE_KEYS.join(", ")));
        }
        let prefix = text(table, "prefix")?
            .ok_or("prefix is missing; give the path prefix the route covers, e.g. \"/commerce\"")?;
        Ok(Route {
            prefix,
            method: text(table, "method")?,
            required: setting(table, "required")?.unwrap_or_default(),
            max_age_secs: setting(table, "max_age")?,
            leeway_secs: setting(table, "leeway")?,
            max_body_bytes: setting(table, "max_body")?,
        })
    }
}

/// The route's validator (no cache of its own: the routes share one replay store), after
/// checking its prefix, method and every value.
fn validator(route: &Route) -> Result<PopTokenValidator, String> {
    check_prefix(&route.prefix)?;
    if let Some(method) = &route.method {
        check_method(method)?;
    }
    check_setting("max_age", route.max_age_secs.map(Value::from))?;
    check_setting("leeway", route.leeway_secs.map(Value::from))?;
    check_setting("max_body", route.max_body_bytes.map(|bytes| Value::from(bytes as u64)))?;
    let own = ValidatorOptions { required: route.required.clone(), ..ValidatorOptions::default() };
    PopTokenValidator::new(own).map_err(message)?;
    let mut required: Vec<String> = REQUIRED_NAMES.iter().map(|name| (*name).to_owned()).collect();
    required
        .extend(route.required.iter().filter(|name| !required.contains(name)).cloned().collect::<Vec<_>>());
    let defaults = ValidatorOptions::default();
    PopTokenValidator::new(ValidatorOptions {
        required,
        max_age_secs: route.max_age_secs.unwrap_or(defaults.max_age_secs),
        leeway_secs: route.leeway_secs.unwrap_or(defaults.leeway_secs),
        replay_cache: None,
    })
    .map_err(message)
}

fn check_prefix(prefix: &str) -> Result<(), String> {
    let path_like =
        prefix.starts_with('/') && prefix.chars().all(|c| c.is_ascii_graphic() && c != '?' && c != '#');
    if path_like {
        return Ok(());
    }
    Err(format!(
        "prefix {:?} must be a path starting with \"/\" (visible ASCII, no query or fragment)",
        shown(prefix)
    ))
}

fn check_method(method: &str) -> Result<(), String> {
    if !method.is_empty() && method.len() <= 20 && method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Ok(());
    }
    Err(format!("method {:?} must be an HTTP method in capitals, e.g. POST", shown(method)))
}

/// Checks `value` as the settings schema's option `key` (type, range, its one message).
fn check_setting(key: &str, value: Option<Value>) -> Result<(), String> {
    let (Some(value), Some(setting)) = (value, Setting::named(key, NameStyle::Snake)) else {
        return Ok(());
    };
    setting.check(&value, NameStyle::Snake).map_err(message)
}

/// The schema option `key` of `table`, checked and typed; `None` when absent.
fn setting<T: DeserializeOwned>(table: &toml::Table, key: &str) -> Result<Option<T>, String> {
    let Some(value) = table.get(key) else {
        return Ok(None);
    };
    let value = serde_json::to_value(value).map_err(|error| format!("option {key}: {error}"))?;
    check_setting(key, Some(value.clone()))?;
    serde_json::from_value(value).map(Some).map_err(|error| format!("option {key}: {error}"))
}

/// The string `key` of `table`; `None` when absent.
fn text(table: &toml::Table, key: &str) -> Result<Option<String>, String> {
    match table.get(key) {
        None => Ok(None),
        Some(toml::Value::String(text)) => Ok(Some(text.clone())),
        Some(other) => Err(format!("{key} must be a string, not a TOML {}", other.type_str())),
    }
}

/// `route 2 (POST /orders)`, `route 1 (/commerce)`, or `route 3` when it has no usable prefix.
fn label(index: usize, prefix: Option<&str>, method: Option<&str>) -> String {
    match (method, prefix) {
        (Some(method), Some(prefix)) => format!("route {} ({} {})", index + 1, shown(method), shown(prefix)),
        (None, Some(prefix)) => format!("route {} ({})", index + 1, shown(prefix)),
        _ => format!("route {}", index + 1),
    }
}

/// Configured text as a message quotes it: escaped onto one line and bounded.
fn shown(text: &str) -> String {
    let mut quoted: String = text.chars().take(SHOWN_CHARS).flat_map(char::escape_debug).collect();
    if text.chars().nth(SHOWN_CHARS).is_some() {
        quoted.push('…');
    }
    quoted
}

/// A configuration error's message alone (without "invalid configuration: "), to be prefixed.
fn message(error: taap::Error) -> String {
    match error {
        taap::Error::Config(message) => message,
        other => other.to_string(),
    }
}

/// The replay store the protected resources share: the one `url` names; with routes and no
/// URL an in-process one, since route validators keep no `jti`s of their own.
pub(crate) fn shared_store(url: Option<&str>, routes: &Routes) -> taap::Result<Option<Arc<dyn ReplayStore>>> {
    match url {
        Some(url) => store_from_url(url).map(Some),
        None if routes.is_empty() => Ok(None),
        None => Ok(Some(Arc::new(MemoryStore::default()))),
    }
}

/// What one request is checked against: its route's validator and body limit.
#[derive(Debug, Clone)]
pub(crate) struct Policy {
    /// The validator (required names, maximum age, leeway).
    pub(crate) validator: PopTokenValidator,
    /// Largest body read and hashed.
    pub(crate) max_body_bytes: usize,
}

/// One [`PopLayer`] per route and one for the gateway's defaults, picked per request.
pub(crate) struct Guard {
    routes: Routes,
    layers: Vec<PopLayer>,
    default: PopLayer,
}

impl Guard {
    /// The layers `layer` builds for each route's policy and the `default` one, each admitting
    /// `jti`s in `store` for as long as any route could still accept the token.
    pub(crate) fn new(
        routes: &Routes,
        default: Policy,
        store: Option<Arc<dyn ReplayStore>>,
        layer: impl Fn(Policy, Option<Arc<dyn ReplayStore>>) -> PopLayer,
    ) -> Guard {
        let horizon_secs = routes.horizon_secs(&default.validator);
        let build = |policy: Policy| {
            let store = store.clone().map(|store| {
                if routes.is_empty() {
                    store
                } else {
                    HorizonStore::around(store, &policy, horizon_secs)
                }
            });
            layer(policy, store)
        };
        let layers = routes
            .entries
            .iter()
            .map(|entry| Policy {
                validator: entry.validator.clone(),
                max_body_bytes: entry.route.max_body_bytes.unwrap_or(default.max_body_bytes),
            })
            .map(&build)
            .collect();
        Guard { routes: routes.clone(), layers, default: build(default) }
    }

    fn layer_for(&self, method: &str, path: &str) -> &PopLayer {
        self.routes.position(method, path).and_then(|index| self.layers.get(index)).unwrap_or(&self.default)
    }
}

/// Runs the rest of the stack behind the [`PopLayer`] of the request's route.
pub(crate) async fn guard(State(guard): State<Arc<Guard>>, request: Request, next: Next) -> Response {
    let layer = guard.layer_for(request.method().as_str(), request.uri().path()).clone();
    let rest = move |request: Request| async move { next.run(request).await };
    Handler::<_, ()>::call(rest.layer(layer), request, ()).await
}

/// A store that remembers each `jti` until no route could accept its token any more: a route
/// with a short maximum age must not forget a `jti` another route still accepts.
#[derive(Debug)]
struct HorizonStore {
    inner: Arc<dyn ReplayStore>,
    leeway_secs: i64,
    horizon_secs: i64,
}

impl HorizonStore {
    fn around(inner: Arc<dyn ReplayStore>, policy: &Policy, horizon_secs: i64) -> Arc<dyn ReplayStore> {
        let leeway_secs = policy.validator.options().leeway_secs;
        Arc::new(HorizonStore { inner, leeway_secs, horizon_secs })
    }
}

impl ReplayStore for HorizonStore {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn admit<'a>(&'a self, admission: Admission<'a>) -> AdmitFuture<'a> {
        // `issued_after` is the token's `iat` less this route's leeway.
        let iat = admission.issued_after.saturating_add(self.leeway_secs);
        let forget_after = admission.forget_after.max(iat.saturating_add(self.horizon_secs));
        self.inner.admit(Admission { forget_after, ..admission })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(prefix: &str, method: Option<&str>, max_body_bytes: usize) -> Route {
        Route {
            prefix: prefix.into(),
            method: method.map(Into::into),
            max_body_bytes: Some(max_body_bytes),
            ..Route::default()
        }
    }

    #[test]
    fn the_longest_prefix_wins_and_a_method_beats_none_of_the_same_prefix() {
        let routes = Routes::new(vec![
            route("/commerce", None, 1),
            route("/commerce/v1/orders", None, 2),
            route("/commerce/v1/orders", Some("POST"), 3),
            route("/commerce/v1", Some("GET"), 4),
        ])
        .unwrap();
        let limit = |method, path| routes.matching(method, path).and_then(|route| route.max_body_bytes);
        assert_eq!(limit("POST", "/commerce/v1/orders"), Some(3));
        assert_eq!(limit("PUT", "/commerce/v1/orders/7"), Some(2));
        assert_eq!(limit("GET", "/commerce/v1/orders"), Some(2));
        assert_eq!(limit("GET", "/commerce/v1/carts"), Some(4));
        assert_eq!(limit("POST", "/commerce/v1/carts"), Some(1));
        assert_eq!(limit("GET", "/iot-connectivity/v1/devices/1"), None);
        assert_eq!(routes.largest_body_bytes(), Some(4));
    }

    #[test]
    fn programmatic_routes_get_the_file_checks() {
        let error = Routes::new(vec![route("/a", None, 1), route("/a", None, 2)]).unwrap_err();
        assert_eq!(
            error,
            taap::Error::Config("route 2 (/a): prefix and method are those of route 1 already".into())
        );
        let error = Routes::new(vec![Route { max_age_secs: Some(0), ..route("/a", Some("GET"), 1) }]);
        assert_eq!(
            error.unwrap_err(),
            taap::Error::Config("route 1 (GET /a): option max_age is 0; choose 1 to 3600 seconds".into())
        );
    }

    #[test]
    fn a_route_adds_names_to_the_gateways_and_keeps_no_cache() {
        let routes = Routes::new(vec![Route {
            required: vec!["body".into(), "uri".into()],
            max_age_secs: Some(5),
            ..route("/a", None, 1)
        }])
        .unwrap();
        let options = routes.entries[0].validator.options();
        assert_eq!(
            (options.required.clone(), options.max_age_secs, options.leeway_secs, options.replay_cache),
            (vec!["Authorization".into(), "uri".into(), "http-method".into(), "body".into()], 5, 10, None)
        );
    }

    #[tokio::test]
    async fn the_shared_store_remembers_a_jti_until_the_most_lenient_route_would_refuse_it() {
        let routes = Routes::new(vec![Route {
            max_age_secs: Some(300),
            leeway_secs: Some(0),
            ..route("/a", None, 1)
        }])
        .unwrap();
        let default = crate::pop::validator();
        assert_eq!(routes.horizon_secs(&default), 300);
        let memory: Arc<dyn ReplayStore> = Arc::new(MemoryStore::new(10));
        let policy = Policy { validator: default, max_body_bytes: 1 };
        let store = HorizonStore::around(Arc::clone(&memory), &policy, 300);
        // A default-route token issued at 1000 would be forgotten after 1070 without the horizon.
        let admission =
            Admission { namespace: "k", jti: "j", issued_after: 990, forget_after: 1070, now: 1000 };
        store.admit(admission).await.unwrap();
        let later = Admission { now: 1200, ..admission };
        let replayed = memory.admit(later).await.unwrap_err();
        assert!(
            matches!(replayed, taap_tower::ReplayError::Replayed(taap::Error::Replay(_))),
            "{replayed:?}"
        );
        memory.admit(Admission { now: 1301, ..admission }).await.unwrap();
    }
}
