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
# WBXML: the MS-ASWBXML §3 example and a ResolveRecipients request (as libwbxml writes it).
mkdir -p corpus/wbxml
echo '03016A00455C4F5003436F6E746163747300014B0332000152033200014E0331000156474D03323A3100015D00114A46033100014C033000014D033100010100015E0346756E6B2C20446F6E00015F03446F6E0001690346756E6B000100115603310001010101010101' | xxd -r -p > corpus/wbxml/ms-aswbxml-example.wbxml
printf '\x03\x01\x6a\x00\x00\x0a\x45\x50\x03ann@corp.example\x00\x01\x4f\x51\x032\x00\x01\x01\x01' \
  > corpus/wbxml/resolve-recipients.wbxml
echo "seeded: $(ls corpus/* | wc -l) files"
