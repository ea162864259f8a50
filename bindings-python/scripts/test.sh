#!/usr/bin/env bash
# Builds and installs the Python package into a virtualenv, then runs its tests and checks
# the type stub against the compiled module.
#
#   TAAP_VENV   virtualenv to use or create (default: bindings-python/.venv)
#   PYTHON      interpreter that creates it (default: python3)
#   CARGO_TARGET_DIR is honoured by the build, as by any cargo build.
set -euo pipefail

package_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${TAAP_VENV:-$package_dir/.venv}"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
venv_python="$venv/bin/python"

"$venv_python" -m pip install --quiet --disable-pip-version-check -r "$package_dir/requirements-test.txt"
# --force-reinstall: the version does not change between builds of the working tree.
"$venv_python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$package_dir"

cd "$package_dir"
# The stub checks run first so that pytest's summary closes the output.
"$venv_python" -m mypy.stubtest taap
"$venv_python" -m mypy --strict tests/typing_usage.py
"$venv_python" -m pytest "$@"
