#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seeds (not committed: the corpus grows while
# fuzzing): the shared test data, plus messages made here with OpenSSL, encrypted to
# and signed by the sample identities the harnesses load (examples/sample: Bob RSA,
# Dave P-256, Alice signs), so the matched decryption and verification paths are
# reached from the first run. Run from anywhere; needs openssl.
#
# `find | head` under `set -o pipefail` fails when head closes the pipe early (find
# gets SIGPIPE), so lists are cut with `sed -n 1,Np`, which reads all its input.
set -euo pipefail
cd "$(dirname "$0")"
data=../../shared/testdata
sample=../examples/sample
targets=(certificate pkcs12 cms_content_info mime_unwrap kari open_message open_stream
  signed_data trust_path wbxml vcard ldap_entry)
for t in "${targets[@]}"; do mkdir -p "corpus/$t"; done

copy_to() { # copy_to TARGET: copies each path read from stdin
  while read -r f; do cp "$f" "corpus/$1/"; done
}

# --- From the shared test data.
find "$data" \( -name '*.pem' -o -name '*.cer' -o -name '*.crt' -o -name '*.der' \) | sed -n 1,400p | copy_to certificate
find "$data" \( -name '*.p12' -o -name '*.pfx' \) | copy_to pkcs12
find "$data/rfc4134" "$data/rfc9216" "$data/asn1crypto" "$data/openssl/80-test_cms_data" -type f \( -name '*.bin' -o -name '*.der' \) | copy_to cms_content_info
find "$data" -name '*.eml' | sed -n 1,400p | copy_to mime_unwrap
cp "$data"/rfc9216/binary-files/*Dana*.p7m corpus/kari/
for f in "$data"/bouncycastle/cms/ecdh/encSess*.asc; do
  grep -v -- '-----' "$f" | base64 -d > "corpus/kari/$(basename "$f" .asc).der"
done
find "$data" -name '*.eml' | sed -n 1,400p | copy_to open_message
find "$data/rfc4134" "$data/rfc9216" "$data/asn1crypto" "$data/openssl/80-test_cms_data" -type f \( -name '*.bin' -o -name '*.der' -o -name '*.cms' -o -name '*.p7s' \) | copy_to signed_data
find "$data/pkits/certs" "$data/x509-limbo" -type f \( -name '*.crt' -o -name '*.pem' -o -name '*.der' \) 2>/dev/null | sed -n 1,300p | copy_to trust_path

# --- Made here, to and by the sample identities the harnesses load.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
msg=$work/msg.eml
printf 'From: alice@example.org\r\nTo: bob@example.org\r\nSubject: seed\r\nContent-Type: text/plain\r\n\r\nhello\r\n' > "$msg"
# signed_data verifies detached signatures over exactly this content.
printf 'Content-Type: text/plain\r\n\r\nhello\r\n' > "$work/detached.txt"
cms() { openssl cms "$@"; }
for cipher in aes-128-cbc aes-256-cbc aes-128-gcm aes-256-gcm; do
  cms -encrypt -binary -"$cipher" -recip "$sample/bob.pem" -in "$msg" -outform DER -out "$work/bob-$cipher.der"
  cms -encrypt -binary -"$cipher" -recip "$sample/bob.pem" -in "$msg" -out "$work/bob-$cipher.eml"
done
cms -encrypt -binary -aes-256-cbc -recip "$sample/bob.pem" -keyopt rsa_padding_mode:oaep -in "$msg" -outform DER -out "$work/bob-oaep.der"
cms -encrypt -binary -aes-256-cbc -recip "$sample/bob.pem" -recip "$sample/alice.pem" -in "$msg" -outform DER -out "$work/bob-alice.der"
cms -encrypt -binary -aes-256-cbc -recip "$sample/dave.pem" -in "$msg" -outform DER -out "$work/dave-cbc.der"
cms -encrypt -binary -aes-256-gcm -recip "$sample/dave.pem" -in "$msg" -outform DER -out "$work/dave-gcm.der"
sign=(-sign -signer "$sample/alice.pem" -inkey "$sample/alice.key")
cms "${sign[@]}" -in "$msg" -out "$work/signed-detached.eml"
cms "${sign[@]}" -nodetach -in "$msg" -out "$work/signed-opaque.eml"
cms "${sign[@]}" -nodetach -binary -in "$msg" -outform DER -out "$work/signed-opaque.der"
cms "${sign[@]}" -binary -in "$work/detached.txt" -outform DER -out "$work/signed-detached.der"
cms "${sign[@]}" -certfile "$sample/ca.pem" -nodetach -binary -in "$msg" -outform DER -out "$work/signed-chain.der"
cms -encrypt -aes-256-gcm -recip "$sample/bob.pem" -in "$work/signed-detached.eml" -out "$work/signed-then-encrypted.eml"
cms -encrypt -aes-256-cbc -recip "$sample/bob.pem" -in "$work/signed-opaque.eml" -out "$work/opaque-then-encrypted.eml"
for f in "$work"/bob-*.der; do cp "$f" corpus/cms_content_info/; done
cp "$work"/dave-*.der corpus/kari/
cp "$work"/signed-*.der corpus/signed_data/
cp "$work"/*.eml corpus/open_message/
cp "$work"/*.eml corpus/mime_unwrap/
cp "$sample"/*.p12 corpus/pkcs12/
cp "$sample"/*.pem corpus/certificate/
cp "$sample"/*.pem corpus/trust_path/

# open_stream: the same messages behind a first byte that sets the read sizes.
i=0
for f in corpus/open_message/*; do
  i=$((i + 1))
  { printf "\\$(printf '%03o' $((i % 97 + 1)))"; cat "$f"; } > "corpus/open_stream/$(basename "$f")"
done

# --- vCard: a contact publishing Bob's certificate, in vCard 3.0 and 4.0 form.
b64=$(openssl x509 -in "$sample/bob.pem" -outform DER | base64 -w0)
printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob\r\nEMAIL:bob@example.org\r\nKEY;ENCODING=b;TYPE=X509:%s\r\nEND:VCARD\r\n' "$b64" > corpus/vcard/bob-3.vcf
printf 'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Bob\r\nEMAIL:bob@example.org\r\nKEY:data:application/pkix-cert;base64,%s\r\nEND:VCARD\r\n' "$b64" > corpus/vcard/bob-4.vcf

# --- LDAP: SearchResultEntry PDUs (RFC 4511 §4.5.2) for bob with his certificate,
# as userCertificate;binary and as mail + proxyAddresses only.
python3 - "$sample/bob.pem" corpus/ldap_entry <<'PY'
import base64, sys
pem = open(sys.argv[1]).read()
der = base64.b64decode("".join(l for l in pem.splitlines() if "-----" not in l))
def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        head = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        head = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + head + body
def attr(name, values):
    return tlv(0x30, tlv(0x04, name) + tlv(0x31, b"".join(tlv(0x04, v) for v in values)))
def entry(attrs):
    op = tlv(0x64, tlv(0x04, b"uid=bob,dc=example,dc=org") + tlv(0x30, b"".join(attrs)))
    return tlv(0x30, tlv(0x02, b"\x02") + op)
out = sys.argv[2]
open(f"{out}/bob-cert.ber", "wb").write(entry([attr(b"mail", [b"bob@example.org"]), attr(b"userCertificate;binary", [der])]))
open(f"{out}/bob-proxy.ber", "wb").write(entry([attr(b"proxyAddresses", [b"SMTP:bob@example.org", b"X500:/o=x"]), attr(b"userCertificate", [der, der])]))
PY

# --- WBXML: the MS-ASWBXML §3 example and a ResolveRecipients request (as libwbxml writes it).
echo '03016A00455C4F5003436F6E746163747300014B0332000152033200014E0331000156474D03323A3100015D00114A46033100014C033000014D033100010100015E0346756E6B2C20446F6E00015F03446F6E0001690346756E6B000100115603310001010101010101' | xxd -r -p > corpus/wbxml/ms-aswbxml-example.wbxml
printf '\x03\x01\x6a\x00\x00\x0a\x45\x50\x03ann@corp.example\x00\x01\x4f\x51\x032\x00\x01\x01\x01' \
  > corpus/wbxml/resolve-recipients.wbxml

empty=0
for t in "${targets[@]}"; do
  n=$(find "corpus/$t" -type f | wc -l)
  echo "seeded $t: $n files"
  if [ "$n" -eq 0 ]; then empty=1; fi
done
exit "$empty"
