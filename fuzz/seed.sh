#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seeds from the shared test data (not committed:
# the corpus grows while fuzzing). Run from the crate root or fuzz/.
set -euo pipefail
cd "$(dirname "$0")"
data=../../shared/testdata
mkdir -p corpus/{certificate,pkcs12,cms_content_info,mime_unwrap,kari,open_message,signed_data,trust_path}
find "$data" -name '*.pem' -o -name '*.cer' -o -name '*.crt' -o -name '*.der' | head -400 | while read -r f; do cp "$f" corpus/certificate/; done
find "$data" -name '*.p12' -o -name '*.pfx' | while read -r f; do cp "$f" corpus/pkcs12/; done
find "$data/rfc4134" "$data/rfc9216" "$data/asn1crypto" "$data/openssl/80-test_cms_data" -type f \( -name '*.bin' -o -name '*.der' \) | while read -r f; do cp "$f" corpus/cms_content_info/; done
find "$data" -name '*.eml' | head -400 | while read -r f; do cp "$f" corpus/mime_unwrap/; done
cp "$data"/rfc9216/binary-files/*Dana*.p7m corpus/kari/
for f in "$data"/bouncycastle/cms/ecdh/encSess*.asc; do
  grep -v -- '-----' "$f" | base64 -d > "corpus/kari/$(basename "$f" .asc).der"
done
find "$data" -name '*.eml' | head -400 | while read -r f; do cp "$f" corpus/open_message/; done
find "$data/rfc4134" "$data/rfc9216" "$data/asn1crypto" "$data/openssl/80-test_cms_data" -type f \( -name '*.bin' -o -name '*.der' -o -name '*.cms' -o -name '*.p7s' \) | while read -r f; do cp "$f" corpus/signed_data/; done
find "$data/pkits/certs" "$data/x509-limbo" -type f \( -name '*.crt' -o -name '*.pem' -o -name '*.der' \) 2>/dev/null | head -300 | while read -r f; do cp "$f" corpus/trust_path/; done
echo "seeded: $(ls corpus/* | wc -l) files"
