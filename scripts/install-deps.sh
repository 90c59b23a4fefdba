#!/usr/bin/env bash
# Installs the Debian packages libcoverage needs, when any is missing.
# Idempotent: prints nothing and does nothing when everything is there.
set -euo pipefail

need=()
have_header() { [ -f "/usr/include/$1" ] || [ -f "/usr/local/include/$1" ]; }
have_header geos_c.h || need+=(libgeos-dev)
have_header proj.h || need+=(libproj-dev)
have_header geodesic.h || need+=(libproj-dev)
have_header shapefil.h || need+=(libshp-dev)
[ -d /usr/share/proj ] && [ -f /usr/share/proj/proj.db ] || need+=(proj-data)
command -v cmake >/dev/null || need+=(cmake)
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v cc >/dev/null || need+=(gcc)
command -v make >/dev/null || need+=(make)
if [ "${COV_NEED_VALGRIND:-0}" = 1 ]; then
  command -v valgrind >/dev/null || need+=(valgrind)
fi
if [ "${COV_NEED_CLANG:-0}" = 1 ]; then
  # libFuzzer and the sanitizer runtimes for clang (scripts/fuzz.sh)
  command -v clang >/dev/null || need+=(clang)
  compgen -G "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" >/dev/null ||
    need+=(libclang-rt-dev)
fi
if [ "${COV_NEED_PYTHON:-0}" = 1 ]; then
  # Japanese map labels need a CJK font; the extension needs Python's headers
  fc-list 2>/dev/null | grep -qi "Noto Sans CJK JP" || need+=(fonts-noto-cjk)
  python3 -c "import venv, ensurepip" 2>/dev/null || need+=(python3-venv)
  inc="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["include"])' 2>/dev/null || true)"
  [ -n "$inc" ] && [ -f "$inc/Python.h" ] || need+=(python3-dev)
fi
if [ "${COV_NEED_CHROMIUM:-0}" = 1 ]; then
  # the report tests open the HTML report in headless Chromium
  command -v chromium >/dev/null || need+=(chromium)
fi
[ ${#need[@]} -eq 0 ] && exit 0

# shellcheck disable=SC2207
need=($(printf '%s\n' "${need[@]}" | sort -u))
echo "install-deps: installing ${need[*]}" >&2
sudo=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install ${need[*]}" >&2; exit 1; }
  sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${need[@]}" >/dev/null
