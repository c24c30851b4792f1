#!/usr/bin/env bash
# A fresh test PKI for the binding suites (Python, Kotlin), made with `openssl`:
#
#   Example CA (trusted by the accounts)       Outside CA (trusted by nobody)
#   ├── alice@example.org     RSA-2048         └── carol@outside.example  RSA-2048
#   ├── bob@example.org       RSA-2048
#   └── dave@partner.example  EC P-256
#
# Per person NAME.pem, NAME.key (PKCS#8) and NAME.p12 (password $PKI_PASSWORD, default
# below; chain included); SAN rfc822Name, keyUsage, EKU emailProtection, SKI/AKI.
#
#   bash bindings/test-pki.sh DIR
set -euo pipefail

dir="${1:?usage: test-pki.sh DIR}"
password="${PKI_PASSWORD:-correct horse battery staple}"
mkdir -p "$dir"
cd "$dir"

quiet() { "$@" 2>openssl.err || { cat openssl.err >&2; exit 1; }; }

for ca in "ca:Example CA" "outside-ca:Outside CA"; do
  quiet openssl req -x509 -newkey rsa:2048 -nodes -keyout "${ca%%:*}.key" -out "${ca%%:*}.pem" \
    -days 30 -subj "/CN=${ca#*:}" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash"
done

person() { # NAME EMAIL CA KEYGEN-ARGS...
  local who=$1 email=$2 ca=$3 usage=keyEncipherment
  shift 3
  [[ "$*" == *EC* ]] && usage=keyAgreement
  quiet openssl genpkey "$@" -out "$who.key"
  quiet openssl req -new -key "$who.key" -out "$who.csr" -subj "/CN=${who^}/emailAddress=$email"
  cat >"$who.ext" <<EXT
[ee]
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,$usage
extendedKeyUsage=emailProtection
subjectAltName=email:$email
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EXT
  quiet openssl x509 -req -in "$who.csr" -CA "$ca.pem" -CAkey "$ca.key" -CAcreateserial \
    -days 20 -sha256 -extfile "$who.ext" -extensions ee -out "$who.pem"
  quiet openssl pkcs12 -export -inkey "$who.key" -in "$who.pem" -certfile "$ca.pem" \
    -out "$who.p12" -passout "pass:$password"
}

rsa=(-algorithm RSA -pkeyopt rsa_keygen_bits:2048)
person alice alice@example.org ca "${rsa[@]}"
person bob bob@example.org ca "${rsa[@]}"
person dave dave@partner.example ca -algorithm EC -pkeyopt ec_paramgen_curve:P-256
person carol carol@outside.example outside-ca "${rsa[@]}"
rm -f ./*.csr ./*.ext openssl.err
