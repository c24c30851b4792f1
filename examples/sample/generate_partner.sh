#!/usr/bin/env bash
# Regenerates the partner CA and Dave (EC P-256), a correspondent whose CA the
# quickstart trusts and whose certificate sits in the contacts. Run from this folder.
set -euo pipefail
cfg=$(mktemp); cakey=$(mktemp)
trap 'rm -f "$cfg" "$cakey" ./*.csr' EXIT
{ cat extensions.cnf; printf '[req]\ndistinguished_name=dn\n[dn]\n'; } > "$cfg"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$cakey" -out partner_ca.pem \
  -subj "/O=Partner GmbH/CN=Partner Root CA" -days 36500 -extensions ca -config "$cfg" -set_serial 1
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout dave.key -out dave.csr \
  -subj "/O=Partner GmbH/CN=Dave" -config "$cfg"
openssl x509 -req -in dave.csr -CA partner_ca.pem -CAkey "$cakey" -set_serial 777 \
  -days 36500 -extfile extensions.cnf -extensions ee_dave -out dave.pem
