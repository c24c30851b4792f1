#!/usr/bin/env bash
# Regenerates the outside CA and Carol, the "outside sender" whose CA the sample
# users do not know. Run from this folder.
set -euo pipefail
cfg=$(mktemp); cakey=$(mktemp)
trap 'rm -f "$cfg" "$cakey" ./*.csr' EXIT
{ cat extensions.cnf; printf '[req]\ndistinguished_name=dn\n[dn]\n'; } > "$cfg"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$cakey" -out outside_ca.pem \
  -subj "/O=Outside Ltd/CN=Outside Root CA" -days 36500 -extensions ca -config "$cfg" -set_serial 1
openssl req -new -newkey rsa:2048 -nodes -keyout carol.key -out carol.csr \
  -subj "/O=Outside Ltd/CN=Carol" -config "$cfg"
openssl x509 -req -in carol.csr -CA outside_ca.pem -CAkey "$cakey" -set_serial 4242 \
  -days 36500 -extfile extensions.cnf -extensions ee_carol -out carol.pem
