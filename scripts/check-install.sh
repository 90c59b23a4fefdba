#!/usr/bin/env bash
# Builds a tiny program against an installed libcoverage twice: through the
# CMake package (find_package) and through pkg-config; runs both.
set -euo pipefail
prefix="$1"
work="$2"
mkdir -p "$work"
cat > "$work/main.c" <<'C'
#include <stdio.h>
#include <libcoverage/coverage.h>
int main(void)
{
    cov_ctx *ctx = cov_ctx_create();
    cov_mesh_cell c;
    int ok = ctx && cov_mesh_decode(ctx, "5339", &c) == COV_OK && c.west_lon_degree == 139.0 &&
             cov_version_number() == COV_VERSION_NUMBER;
    cov_ctx_destroy(ctx);
    printf("%s %s\n", ok ? "ok" : "FAILED", cov_version());
    return ok ? 0 : 1;
}
C
cat > "$work/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.20)
project(consumer C)
find_package(libcoverage REQUIRED)
add_executable(consumer main.c)
target_link_libraries(consumer PRIVATE libcoverage::coverage)
CM
cmake -S "$work" -B "$work/build" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/build" >/dev/null
LD_LIBRARY_PATH="$prefix/lib" "$work/build/consumer"
libdir="$(find "$prefix" -name libcoverage.pc -printf '%h\n' | head -1)"
cc "$work/main.c" -o "$work/pc" $(PKG_CONFIG_PATH="$libdir" pkg-config --cflags --libs libcoverage)
LD_LIBRARY_PATH="$(dirname "$libdir")" "$work/pc"
