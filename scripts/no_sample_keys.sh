#!/usr/bin/env bash
# Proves that no sample private key (examples/sample/*.key, alice.p12) is compiled into
# the library: scans the `smime` rlibs and the UniFFI cdylib the test run built for each
# key's DER bytes, each line of its PEM body and any "PRIVATE KEY" armour. The quickstart
# example, which includes the samples on purpose, must show them: that proves the scan
# finds what it looks for. The debug artifacts are scanned because the test run has them;
# an included file is embedded byte for byte whatever the optimisation level.
#   bash scripts/no_sample_keys.sh     (after `cargo test --workspace --all-features`)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
cargo build --quiet --manifest-path "$root/Cargo.toml" -p smime --example quickstart
cargo build --quiet --manifest-path "$root/Cargo.toml" -p smime-ffi --all-features
python3 - "$root/examples/sample" "$target/debug" <<'PY'
import base64, glob, os, sys

sample, debug = sys.argv[1], sys.argv[2]
needles = [b"PRIVATE KEY-----"]
for key in sorted(glob.glob(os.path.join(sample, "*.key"))):
    pem = open(key, "rb").read()
    body = [l for l in pem.splitlines() if l and not l.startswith(b"-----")]
    needles += body
    needles.append(base64.b64decode(b"".join(body)))
needles.append(open(os.path.join(sample, "alice.p12"), "rb").read())

def found(path):
    data = open(path, "rb").read()
    return [n for n in needles if n in data]

libraries = glob.glob(os.path.join(debug, "deps", "libsmime-*.rlib"))
cdylib = glob.glob(os.path.join(debug, "libsmime_uniffi.so"))
if not cdylib:
    sys.exit("no_sample_keys: no libsmime_uniffi.so under " + debug)
libraries += cdylib
if not libraries:
    sys.exit("no_sample_keys: no smime rlib or cdylib under " + debug + "; run the tests first")
control = os.path.join(debug, "examples", "quickstart")
if not found(control):
    sys.exit("no_sample_keys: the scan finds no sample key even in " + control + ": the scan is broken")
bad = [(p, len(found(p))) for p in libraries if found(p)]
for path, count in bad:
    print(f"no_sample_keys: {path} contains {count} sample private-key fragments", file=sys.stderr)
if bad:
    sys.exit(1)
print(f"no_sample_keys: {len(libraries)} library artifacts hold no sample private key "
      f"({len(needles)} fragments checked; the quickstart binary holds {len(found(control))})")
PY
