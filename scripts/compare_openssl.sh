#!/usr/bin/env bash
# Wall time and peak memory of `smime encrypt|decrypt` against `openssl cms` on the same
# message (default 48 MiB of random data, base64 in a MIME body) for one RSA-2048
# recipient, and of `smime sign|verify` against `openssl cms -sign|-verify` (detached,
# SHA-256). Measures; asserts nothing. Usage: scripts/compare_openssl.sh [MiB]
set -euo pipefail

mib="${1:-48}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --quiet --release -p smime-cli --bin smime --manifest-path "$root/Cargo.toml"
target="${CARGO_TARGET_DIR:-$root/target}"
smime="$target/release/smime"

cd "$work"
openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 \
  -subj "/CN=Bob/emailAddress=bob@example.com" \
  -addext "subjectAltName=email:bob@example.com" \
  -addext "keyUsage=digitalSignature,keyEncipherment" \
  -addext "extendedKeyUsage=emailProtection" 2>/dev/null
python3 - "$mib" <<'EOF'
import base64, os, sys
body = base64.encodebytes(os.urandom(int(sys.argv[1]) << 20)).replace(b"\n", b"\r\n")
head = (b"From: bob@example.com\r\nTo: bob@example.com\r\nSubject: big\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n")
open("message.eml", "wb").write(head + body)
EOF

measure() { # label, command...
  local label="$1"
  shift
  /usr/bin/time -f "$label	%e s	%M KiB" "$@" 2>&1 >/dev/null | tail -1
}

printf 'what\twall\tpeak RSS\n'
for cipher in aes-256-gcm aes-256-cbc; do
  measure "smime encrypt $cipher" "$smime" encrypt --recipient cert.pem --cipher "$cipher" \
    --in message.eml --out "ours.$cipher.eml"
  measure "openssl encrypt $cipher" openssl cms -encrypt "-$cipher" -binary \
    -in message.eml -out "openssl.$cipher.eml" cert.pem
  measure "smime decrypt $cipher" "$smime" decrypt --cert cert.pem --key key.pem \
    --in "ours.$cipher.eml" --out /dev/null
  measure "openssl decrypt $cipher" openssl cms -decrypt -recip cert.pem -inkey key.pem \
    -in "openssl.$cipher.eml" -out /dev/null
done
measure "smime sign" "$smime" sign --cert cert.pem --key key.pem --in message.eml \
  --out ours.signed.eml
measure "openssl sign" openssl cms -sign -binary -md sha256 -signer cert.pem -inkey key.pem \
  -in message.eml -out openssl.signed.eml
measure "smime verify" "$smime" verify --trust-anchor cert.pem --in ours.signed.eml
measure "openssl verify" openssl cms -verify -binary -CAfile cert.pem \
  -in openssl.signed.eml -out /dev/null
