#!/usr/bin/env bash
# Fuzzing in CI: seeds every target (fuzz/seed.sh), builds every target with nightly
# cargo-fuzz, replays the kept crash inputs (fuzz/regressions/<target>/), then runs
# each target for FUZZ_SECONDS (default 60) with libFuzzer's -max_total_time. Fails
# when any target crashes, reports a leak, times out on one input (-timeout) or runs
# out of memory (-rss_limit_mb); the failing input is left in fuzz/artifacts/<target>/.
#
# CI cost: 11 targets x 60 s = 11 minutes of fuzzing, plus the nightly build of the
# fuzz workspace (about 5 minutes on 2 cores from scratch).
#
#   FUZZ_SECONDS=600 FUZZ_TARGETS="open_message kari" bash scripts/fuzz.sh   # a longer run
#
# A long campaign: see "Fuzzing" in the README.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../fuzz"

seconds=${FUZZ_SECONDS:-60}
if ! rustup toolchain list | grep -q '^nightly'; then
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

bash seed.sh
mapfile -t all < <(cargo +nightly fuzz list)
read -r -a targets <<< "${FUZZ_TARGETS:-${all[*]}}"
echo "== fuzz: building ${#targets[@]} targets" >&2
cargo +nightly fuzz build

failed=()
for t in "${targets[@]}"; do
  flags=(-timeout=10 -rss_limit_mb=2560 -malloc_limit_mb=2560 -detect_leaks=1)
  if [ -d "regressions/$t" ] && [ -n "$(ls -A "regressions/$t")" ]; then
    echo "== fuzz: $t: replaying regressions/$t" >&2
    if ! cargo +nightly fuzz run "$t" "regressions/$t"/* -- "${flags[@]}" -runs=1; then
      failed+=("$t (regression)")
      continue
    fi
  fi
  echo "== fuzz: $t for ${seconds}s" >&2
  if ! cargo +nightly fuzz run "$t" "corpus/$t" -- "${flags[@]}" \
      -max_total_time="$seconds" -print_final_stats=1; then
    failed+=("$t")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: failed: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets ran ${seconds}s each without a crash, leak or timeout" >&2
