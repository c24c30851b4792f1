#!/usr/bin/env bash
# Fuzzing in CI: seeds every target (fuzz/seed.sh), builds every target with nightly
# cargo-fuzz (-O: fuzz/Cargo.toml's release profile keeps debug assertions and
# overflow checks on), replays the kept crash inputs (fuzz/regressions/<target>/), then runs
# each target for FUZZ_SECONDS (default 60) with libFuzzer's -max_total_time. Fails
# when any target crashes, reports a leak, times out on one input (-timeout) or runs
# out of memory (-rss_limit_mb); the failing input is left in fuzz/artifacts/<target>/.
#
#   bash scripts/fuzz.sh          # build, then run
#   bash scripts/fuzz.sh build    # toolchain, cargo-fuzz, seeds and the build only
#   bash scripts/fuzz.sh run      # run what `build` made
#
# CI cost (.ci/run sets FUZZ_SECONDS=30): 12 targets x 30 s, two at a time (FUZZ_JOBS) =
# about 3 minutes, plus the nightly build of the fuzz workspace (about 6.5 minutes on 2
# cores from scratch, and 1.8 for installing cargo-fuzz), which .ci/run starts in the
# background while the test suite runs.
#
#   FUZZ_SECONDS=600 FUZZ_TARGETS="open_message kari" bash scripts/fuzz.sh   # a longer run
#
# A long campaign: see "Fuzzing" in the README.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../fuzz"

step=${1:-all}
case "$step" in
  all | build | run) ;;
  *)
    echo "usage: fuzz.sh [build|run]" >&2
    exit 2
    ;;
esac
seconds=${FUZZ_SECONDS:-60}

if [ "$step" != run ]; then
  if ! rustup toolchain list | grep -q '^nightly'; then
    rustup toolchain install nightly --profile minimal
  fi
  if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
  fi
  bash seed.sh
  echo "== fuzz: building every target" >&2
  cargo +nightly fuzz build -O
  if [ "$step" = build ]; then
    exit 0
  fi
fi

mapfile -t all < <(cargo +nightly fuzz list)
read -r -a targets <<< "${FUZZ_TARGETS:-${all[*]}}"

# One target: its kept crash inputs, then the timed run. Output goes to a log, shown
# when the target fails (two targets run at once, one per core).
run_target() {
  local t="$1" log="logs/$1.log"
  local flags=(-timeout=10 -rss_limit_mb=2560 -malloc_limit_mb=2560 -detect_leaks=1)
  if [ -d "regressions/$t" ] && [ -n "$(ls -A "regressions/$t")" ]; then
    if ! cargo +nightly fuzz run -O "$t" "regressions/$t"/* -- "${flags[@]}" -runs=1 >"$log" 2>&1; then
      echo "$t (regression)" >"logs/$t.failed"
      return
    fi
  fi
  if ! cargo +nightly fuzz run -O "$t" "corpus/$t" -- "${flags[@]}" \
      -max_total_time="$seconds" -print_final_stats=1 >>"$log" 2>&1; then
    echo "$t" >"logs/$t.failed"
  fi
  echo "== fuzz: $t: $(grep -E '^stat::number_of_executed_units' "$log" | tail -1 | awk '{print $2}') executions, $(grep -oE 'cov: [0-9]+' "$log" | tail -1)" >&2
}

rm -rf logs
mkdir -p logs
parallel=${FUZZ_JOBS:-2}
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do
    wait -n || true
  done
  echo "== fuzz: $t for ${seconds}s" >&2
  run_target "$t" &
done
wait

failed=()
for t in "${targets[@]}"; do
  if [ -f "logs/$t.failed" ]; then
    failed+=("$(cat "logs/$t.failed")")
    tail -60 "logs/$t.log" >&2
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets ran ${seconds}s each without a crash, leak or timeout" >&2
