#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds with AddressSanitizer + UBSan and
# -Werror, and runs every test under ctest (PostgreSQL tests start their own throwaway cluster).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
build=${IJRO_TEST_BUILD:-build/asan}
jobs=$(nproc)
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DIJRO_SANITIZE=ON -DIJRO_WERROR=ON
cmake --build "$build" -j "$jobs"
# The fuzz targets: a second, clang build (build/fuzz, only the fuzz targets and what they link);
# the ctest tests fuzz_* run them. It fails here, loudly, when clang is missing.
tests/fuzz/run --build-only
# intercept_tls_get_addr=0: GCC 12's sanitizer runtime can take the dynamic TLS block of a
# dlopen'ed plugin for one with a glibc header (depending on where it lands) and LeakSanitizer then
# crashes at exit scanning a bogus range ("Tracer caught signal 11"). Without the interception
# LeakSanitizer scans less memory for pointers: it can report more leaks, never fewer.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1:intercept_tls_get_addr=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$build" --output-on-failure -j "$jobs" --timeout 300 "$@"
