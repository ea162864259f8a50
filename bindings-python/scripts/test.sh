#!/usr/bin/env bash
# Builds and installs the Python package into a virtualenv, then runs its tests and checks
# the type stub against the compiled module. tests/test_hardware.py runs under the hardware
# fixture (tests/hardware/run.sh: swtpm and moto's KMS, from the tools venv of scripts/setup.sh).
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
# The keys in hardware (swtpm and moto's KMS, tests/hardware/run.py) run once, around their own
# file; the rest of the suite runs without them, as before. Both run even if the first fails.
hardware=0
bash "$package_dir/../tests/hardware/run.sh" -- "$venv_python" -m pytest tests/test_hardware.py || hardware=$?
"$venv_python" -m pytest --ignore=tests/test_hardware.py "$@"
exit "$hardware"
