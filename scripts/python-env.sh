#!/usr/bin/env bash
# Makes the project's virtual environment (.venv) and installs zaitaku in it:
#   scripts/python-env.sh            pip install .            (as a user would)
#   scripts/python-env.sh --dev      pip install -e ".[test]" (tests, notebooks)
set -euo pipefail
cd "$(dirname "$0")/.."
COV_NEED_PYTHON=1 scripts/install-deps.sh
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ "${1:-}" = --dev ]; then
  .venv/bin/python -m pip install -q -e ".[test]"
else
  .venv/bin/python -m pip install -q .
fi
