#!/usr/bin/env bash
# The Python cli/tests/proxy.rs needs (requirements.txt: PyJWT, cryptography, requests), in its
# own virtualenv; prints the virtualenv's python. Run by the test itself, once per run.
#
#   bash cli/tests/proxy_support/setup-python.sh VENV
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$1"
command -v python3 >/dev/null || { echo "proxy tests: python3 is not installed" >&2; exit 1; }
[ -x "$venv/bin/python" ] || python3 -m venv "$venv" >&2
"$venv/bin/python" -c 'import jwt, cryptography, requests' 2>/dev/null ||
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2
echo "$venv/bin/python"
