#!/usr/bin/env bash
# Regenerates the sample CA, Alice and Bob. Run from this folder.
set -euo pipefail
cfg=$(mktemp); cakey=$(mktemp)
trap 'rm -f "$cfg" "$cakey" ./*.csr' EXIT
{ cat extensions.cnf; printf '[req]\ndistinguished_name=dn\n[dn]\n'; } > "$cfg"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$cakey" -out ca.pem \
  -subj "/O=smime sample/CN=Sample Root CA" -days 36500 -extensions ca -config "$cfg" -set_serial 1
for who in alice bob; do
  openssl req -new -newkey rsa:2048 -nodes -keyout "$who.key" -out "$who.csr" \
    -subj "/O=smime sample/CN=${who^}" -config "$cfg"
  openssl x509 -req -in "$who.csr" -CA ca.pem -CAkey "$cakey" -set_serial "$((RANDOM + 100))" \
    -days 36500 -extfile extensions.cnf -extensions "ee_$who" -out "$who.pem"
done
