#!/usr/bin/env bash
# tests/hardware/run.py under the tools venv's Python, from any folder:
#
#   bash tests/hardware/run.sh -- COMMAND [ARG...]
#
# The venv is $TAAP_TOOLS_VENV, else .venv at the repository root; scripts/setup.sh makes it
# (moto[server], which brings boto3 and cryptography).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
python="${TAAP_TOOLS_VENV:-$root/.venv}/bin/python"
if [[ ! -x "$python" ]]; then
    echo "hardware fixture: $python is missing; make the tools venv with \`bash scripts/setup.sh\`" >&2
    exit 1
fi
exec "$python" "$root/tests/hardware/run.py" "$@"
