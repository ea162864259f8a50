//! Keyword options to the core's settings schema (`taap::settings`) and its answers back to
//! Python. The door holds no option name, default, range or message: it writes the keywords as
//! a JSON object (`json.dumps` keeps dict order) and the core checks every one of them.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyDict, PyList};
use serde_json::{Map, Value};
use taap::settings::{options_from_json, NameStyle};

use crate::errors::{to_py_err, OrRaise};

/// The keyword options as the core reads them: `None` stays `null` (the schema's default), a
/// tuple becomes a list. A value JSON cannot hold is refused here, naming its option, because
/// the core never sees it.
pub fn options_map(py: Python<'_>, options: &Bound<'_, PyDict>) -> PyResult<Map<String, Value>> {
    let json = py.import("json")?;
    let strict = [("allow_nan", false)].into_py_dict(py)?;
    let text: String = match json.call_method("dumps", (options,), Some(&strict)) {
        Ok(text) => text.extract()?,
        Err(_) => return Err(first_value_json_cannot_hold(py, options, &strict)),
    };
    options_from_json(&text).or_raise(py)
}

/// The error for the first option whose value `json.dumps` refuses: a type JSON has no form for
/// is a `TypeError`; nan, infinity or a value holding itself is a `ConfigError`.
fn first_value_json_cannot_hold(
    py: Python<'_>,
    options: &Bound<'_, PyDict>,
    strict: &Bound<'_, PyDict>,
) -> PyErr {
    let dumps = match py.import("json").and_then(|json| json.getattr("dumps")) {
        Ok(dumps) => dumps,
        Err(error) => return error,
    };
    for (name, value) in options.iter() {
        match dumps.call((&value,), Some(strict)) {
            Err(error) if error.is_instance_of::<PyTypeError>(py) => {
                return PyTypeError::new_err(format!(
                    "option {name} must be JSON data: str, int, float, bool, None, lists and dicts"
                ));
            }
            Err(_) => {
                let problem = format!(
                    "option {name} must be finite JSON data, without nan, infinity or a value holding itself"
                );
                return to_py_err(py, &taap::Error::Config(problem));
            }
            Ok(_) => {}
        }
    }
    PyTypeError::new_err("the options must have str names")
}

/// A JSON value as Python data (`json.loads`: objects keep their order, `null` is `None`).
fn to_python<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?.call_method1("loads", (value.to_string(),))
}

/// A settings view (`client.settings`, `validator.settings`) as a fresh dict.
pub fn settings_dict<'py>(py: Python<'py>, settings: &Map<String, Value>) -> PyResult<Bound<'py, PyDict>> {
    Ok(to_python(py, &Value::Object(settings.clone()))?.cast_into::<PyDict>()?)
}

/// Every option of every door, as the core declares it: a list of dicts with `name`, `camel`,
/// `group`, `kind`, `default`, `min`, `min_exclusive`, `max`, `doc`, `secret` (and `choices`).
#[pyfunction]
pub fn settings_schema(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let schema = py.import("json")?.call_method1("loads", (taap::settings::settings_schema_json(),))?;
    Ok(schema.cast_into::<PyList>()?)
}

/// The ASGI/WSGI middleware's options (its own and the validator's), checked by the schema, each
/// one not given at its default, `replay_store` resolved into `replay_cache` and
/// `shared_replay_store` by the core.
#[pyfunction]
#[pyo3(signature = (**options))]
pub fn middleware_settings<'py>(
    py: Python<'py>,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyDict>> {
    let given = match options {
        Some(options) => options_map(py, options)?,
        None => Map::new(),
    };
    let settings = taap::settings::middleware_settings(&given, NameStyle::Snake).or_raise(py)?;
    settings_dict(py, &settings)
}
