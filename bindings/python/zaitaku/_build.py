"""cffi build script (API mode): compiles libcoverage's C sources and the
binding into the extension ``zaitaku._libcoverage``.

Run by setuptools through ``cffi_modules`` in setup.py; needs the Debian
packages libgeos-dev, libproj-dev and libshp-dev (scripts/install-deps.sh).
"""
import os
import re
import shlex
import subprocess
import tempfile
from pathlib import Path

import cffi

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent


def _version():
    text = (ROOT / "CMakeLists.txt").read_text(encoding="utf-8")
    major, minor, patch = re.search(r"project\(libcoverage VERSION (\d+)\.(\d+)\.(\d+)", text).groups()
    return int(major), int(minor), int(patch)


def _version_header():
    """Writes libcoverage/version.h as CMake would, into a build folder."""
    major, minor, patch = _version()
    template = (ROOT / "cmake" / "version.h.in").read_text(encoding="utf-8")
    text = (template.replace("@PROJECT_VERSION_MAJOR@", str(major))
            .replace("@PROJECT_VERSION_MINOR@", str(minor))
            .replace("@PROJECT_VERSION_PATCH@", str(patch))
            .replace("@PROJECT_VERSION@", f"{major}.{minor}.{patch}"))
    out = Path(tempfile.mkdtemp(prefix="zaitaku-build-")) / "libcoverage"
    out.mkdir()
    (out / "version.h").write_text(text, encoding="utf-8")
    return str(out.parent)


def _flags(cmd):
    try:
        return shlex.split(subprocess.check_output(cmd, text=True))
    except (OSError, subprocess.CalledProcessError):
        return []


def _sources():
    # relative to the project root, where setuptools runs the build
    return sorted(os.path.relpath(p, ROOT) for p in (ROOT / "libcoverage").rglob("*.c"))


ffibuilder = cffi.FFI()
ffibuilder.cdef((HERE / "_cdef.h").read_text(encoding="utf-8"))
_extra = _flags(["geos-config", "--cflags"]) + _flags(["pkg-config", "--cflags", "proj"])
ffibuilder.set_source(
    "zaitaku._libcoverage",
    '#include "libcoverage/coverage.h"\n',
    sources=_sources(),
    include_dirs=[str(ROOT / "include"), _version_header(), str(ROOT / "libcoverage")],
    define_macros=[("GEOS_USE_ONLY_R_API", None), ("COV_STATIC", None), ("COV_BUILDING", None)],
    libraries=["geos_c", "proj", "shp", "m"],
    extra_compile_args=["-fvisibility=hidden", "-O2"] + _extra,
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
