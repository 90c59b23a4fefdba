#!/usr/bin/env bash
# The main job on the bundled sample: installs what is missing, installs
# zaitaku (which compiles libcoverage) into .venv, and runs `zaitaku demo`
# on data/sample (a fictional prefecture), writing tables, layers and a map
# to ${1:-zaitaku-demo}.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/python-env.sh
exec .venv/bin/zaitaku demo --out "${1:-zaitaku-demo}"
