#!/usr/bin/env bash
# Builds the unit tests with AddressSanitizer + UndefinedBehaviorSanitizer (preset asan-ubsan,
# in build-asan/) and runs them. Any sanitizer report fails the run. CI runs this after the
# default test run. Usage: tools/sanitize.sh [ctest arguments]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cmake --preset asan-ubsan >/dev/null
cmake --build build-asan -j"$(nproc 2>/dev/null || echo 2)" --target xbarsim_unit_tests
ctest --preset asan-ubsan --output-on-failure "$@"
