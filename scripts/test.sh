#!/usr/bin/env bash
# The test command (README): installs the peers the tests drive (scripts/peers.sh), then
# runs every test.
#
#   bash scripts/test.sh [extra cargo test arguments]
#
# The tests drive real peers (OpenSSL, gpgsm, Python cryptography, NSS, slapd, Horde's
# ActiveSync server, the binding toolchains); as root, whatever is missing is installed,
# otherwise the install command is printed and the script exits 2. No test skips itself
# when a tool is missing.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/peers.sh

# fuzz/ is its own workspace and is not part of this one; --workspace covers the crate,
# its unit, integration and doc tests, the `smime` command (cli/) the CLI tests run and
# the UniFFI crate (ffi/).
set +e
cargo test --all-features --workspace "$@"
status=$?
set -e
# The Python, Kotlin and Swift bindings, on the library built above (scripts/bindings.sh);
# the whole run only, not a run narrowed with cargo arguments.
if [ "$#" -eq 0 ]; then
  bash scripts/bindings.sh || status=1
  # No sample private key in the library or the cdylib the bindings load (issue 11).
  bash scripts/no_sample_keys.sh || status=1
fi
exit "$status"
