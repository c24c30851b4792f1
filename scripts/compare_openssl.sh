#!/usr/bin/env bash
# Wall time and peak memory of the `smime` command against `openssl cms` on the same
# files, one RSA-2048 identity, for each row of issue 12's table. Where OpenSSL can
# stream (encrypt, sign, sign | encrypt) it gets `-stream`, and `-binary` (no line-end
# translation: its fastest mode, while ours canonicalises to CRLF) except to verify,
# where `-binary` breaks OpenSSL's own check of a multipart/signed text entity.
# Each row runs ours and OpenSSL alternately, RUNS times (paired runs); it prints the
# median wall time of each, the ratio OpenSSL / ours (> 1: we are faster), the median
# peak RSS of each (a pipeline counts its largest process) and the median CPU time
# (user + system; on a busy machine the steadier figure). Before each row, `sync` (the
# writeback of earlier files stays out of its timings) and one untimed run of each.
# Measures; asserts nothing.
#
# Usage: scripts/compare_openssl.sh [MiB] (default 100)
# Environment: RUNS (default 5) for the large rows, SMALL_RUNS (default 21) for 1 KiB.
set -euo pipefail

mib="${1:-100}"
runs="${RUNS:-5}"
small_runs="${SMALL_RUNS:-21}"
root="$(cd "$(dirname "$0")/.." && pwd)"
if [ ! -x /usr/bin/time ]; then
  apt-get update -qq && apt-get install -y -qq --no-install-recommends time >/dev/null
fi
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

# A message of random data, base64 in a MIME body with CRLF line ends; the 1 KiB one
# is text.
python3 - "$mib" <<'EOF'
import base64, os, sys
head = (b"From: bob@example.com\r\nTo: bob@example.com\r\nSubject: big\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n")
raw = int(sys.argv[1]) << 20
body = base64.encodebytes(os.urandom(raw * 3 // 4)).replace(b"\n", b"\r\n")
open("big.eml", "wb").write(head + body)
small = b"From: bob@example.com\r\nTo: bob@example.com\r\nSubject: small\r\n\r\n"
line = b"The quick brown fox jumps over the lazy dog, again and again.\r\n"
open("small.eml", "wb").write(small + line * ((1024 - len(small)) // len(line)))
EOF

# The inputs that the opening rows read: made once, by us, read by both.
for size in big small; do
  "$smime" encrypt --recipient cert.pem --cipher aes-128-cbc --in "$size.eml" --out "$size.cbc.eml"
  "$smime" encrypt --recipient cert.pem --cipher aes-256-gcm --in "$size.eml" --out "$size.gcm.eml"
  "$smime" sign --cert cert.pem --key key.pem --in "$size.eml" --out "$size.signed.eml"
  "$smime" encrypt --cert cert.pem --key key.pem --recipient cert.pem --cipher aes-128-cbc \
    --in "$size.eml" --out "$size.se.eml"
done

S="$smime"
O="openssl cms"
ID="--cert cert.pem --key key.pem"
RECIP="-recip cert.pem -inkey key.pem"
SIGNER="-signer cert.pem -inkey key.pem -md sha256"

# Each row: label, runs, our command, OpenSSL's command (run by sh). Both write their
# output to a file: `smime` holds output for stdout or a special file such as
# /dev/null in memory until the operation succeeds (at most 64 MiB, never spilled to
# $TMPDIR), so a file is what it streams to.
rows() {
  local n="$1" f="$2" label="$3"
  printf '%s\t%s\t%s\t%s\n' \
    "encrypt AES-128-CBC$label" "$n" \
    "$S encrypt --recipient cert.pem --cipher aes-128-cbc --in $f.eml --out out.ours" \
    "$O -encrypt -stream -binary -aes128 -in $f.eml -out out.openssl cert.pem"
  printf '%s\t%s\t%s\t%s\n' \
    "encrypt AES-256-GCM$label" "$n" \
    "$S encrypt --recipient cert.pem --cipher aes-256-gcm --in $f.eml --out out.ours" \
    "$O -encrypt -stream -binary -aes-256-gcm -in $f.eml -out out.openssl cert.pem"
  printf '%s\t%s\t%s\t%s\n' \
    "decrypt AES-128-CBC$label" "$n" \
    "$S decrypt $ID --in $f.cbc.eml --out out.ours" \
    "$O -decrypt -binary $RECIP -in $f.cbc.eml -out out.openssl"
  printf '%s\t%s\t%s\t%s\n' \
    "decrypt AES-256-GCM$label" "$n" \
    "$S decrypt $ID --in $f.gcm.eml --out out.ours" \
    "$O -decrypt -binary $RECIP -in $f.gcm.eml -out out.openssl"
  printf '%s\t%s\t%s\t%s\n' \
    "sign, detached, SHA-256$label" "$n" \
    "$S sign $ID --in $f.eml --out out.ours" \
    "$O -sign -stream -binary $SIGNER -in $f.eml -out out.openssl"
  printf '%s\t%s\t%s\t%s\n' \
    "verify, detached$label" "$n" \
    "$S verify --trust-anchor cert.pem --in $f.signed.eml --content-out out.ours" \
    "$O -verify -CAfile cert.pem -in $f.signed.eml -out out.openssl"
  printf '%s\t%s\t%s\t%s\n' \
    "sign then encrypt (OpenSSL: sign | encrypt)$label" "$n" \
    "$S encrypt $ID --recipient cert.pem --cipher aes-128-cbc --in $f.eml --out out.ours" \
    "$O -sign -stream -binary $SIGNER -in $f.eml | $O -encrypt -stream -binary -aes128 -out out.openssl cert.pem"
  printf '%s\t%s\t%s\t%s\n' \
    "open signed-then-encrypted (OpenSSL: decrypt | verify)$label" "$n" \
    "$S verify $ID --trust-anchor cert.pem --in $f.se.eml --content-out out.ours" \
    "$O -decrypt -binary $RECIP -in $f.se.eml | $O -verify -CAfile cert.pem -out out.openssl"
}

{
  rows "$runs" big ", ${mib} MiB"
  rows "$small_runs" small ", 1 KiB"
} >rows.tsv

python3 - rows.tsv <<'EOF'
import shlex, statistics, subprocess, sys, time

def run(cmd, shell):
    """Wall seconds, peak RSS (KiB) and CPU seconds (user + system) of one run. GNU
    time starts the command: a process forked from Python would count Python's own
    pages in its peak. For `sh -c` with a pipeline the peak is the largest process's
    and the CPU time the sum."""
    argv = ["sh", "-c", cmd] if shell else shlex.split(cmd)
    argv = ["/usr/bin/time", "-f", "%M %U %S", "-o", "usage.txt", "--"] + argv
    start = time.perf_counter()
    p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - start
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {cmd}\n{p.stderr.decode(errors='replace')}")
    rss, user, system = open("usage.txt").read().split()[-3:]
    return wall, int(rss), float(user) + float(system)

def fmt_t(s):
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.3f} s"

print(f"{'operation':<62} {'ours':>10} {'OpenSSL':>10} {'ratio':>7}   "
      f"{'peak RSS ours / OpenSSL':>24}   CPU ours / OpenSSL")
for line in open(sys.argv[1]):
    label, n, ours, theirs = line.rstrip("\n").split("\t")
    # The inputs' and the last row's outputs reach the disk first: their writeback
    # would otherwise land in this row's timings (whoever it happened to meet).
    subprocess.run(["sync"], check=True)
    # One untimed run of each first: the row's output files exist, as in every timed run.
    run(ours, False)
    run(theirs, True)
    results = {ours: [], theirs: []}
    for i in range(int(n)):
        # Alternate who goes first so neither always runs on a warm cache.
        order = [(ours, False), (theirs, True)]
        if i % 2:
            order.reverse()
        for cmd, shell in order:
            results[cmd].append(run(cmd, shell))
    med = lambda cmd, k: statistics.median(r[k] for r in results[cmd])
    a, b = med(ours, 0), med(theirs, 0)
    print(f"{label:<62} {fmt_t(a):>10} {fmt_t(b):>10} {b / a:>6.2f}x   "
          f"{med(ours, 1) / 1024:>10.0f} / {med(theirs, 1) / 1024:.0f} MiB   "
          f"{fmt_t(med(ours, 2))} / {fmt_t(med(theirs, 2))}")
EOF
