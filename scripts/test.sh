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
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$build" --output-on-failure -j "$jobs" --timeout 300 "$@"
