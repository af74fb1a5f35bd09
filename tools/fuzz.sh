#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for a given time.
# Usage: tools/fuzz.sh [seconds per target, default 60] [target ...]
#   (targets: config csv netlist model deck; default all five). FUZZ_JOBS=n limits the build's jobs.
# Seed corpora live in tests/fuzz/corpus/<target>/; new inputs go to build-fuzz/corpus/<target>/,
# crashes to build-fuzz/crashes/<target>/. Turn each crash into a regression test: fix the bug and
# copy the input to tests/fuzz/regressions/<target>/ (the unit test fuzz_regressions runs those
# and the seed corpora through the same fuzz bodies in the normal build).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(config csv netlist model deck)
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXBARSIM_FUZZ=ON \
  -DXBARSIM_BUILD_TESTS=OFF >/dev/null
cmake --build build-fuzz -j"${FUZZ_JOBS:-$(nproc)}" --target "${targets[@]/#/fuzz_}"
# UBSan only reports by default; halting turns undefined behaviour into a recorded crash.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
# One thread: Eigen/OpenMP must not take the other core.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
for target in "${targets[@]}"; do
  mkdir -p "build-fuzz/corpus/$target" "build-fuzz/crashes/$target"
  echo "fuzz_$target: ${seconds} s" >&2
  "build-fuzz/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="build-fuzz/crashes/$target/" -print_final_stats=1 \
    "build-fuzz/corpus/$target" "tests/fuzz/corpus/$target" 2>&1 |
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb|ERROR|SUMMARY|runtime error|xbarsim fuzz|Done" || true
done
