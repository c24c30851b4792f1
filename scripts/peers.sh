#!/usr/bin/env bash
# Installs every peer the tests and the binding suites drive (one apt-get run):
# openssl (the test PKI is made at test time), gpgsm with gpg-agent, Python
# `cryptography` >= 45 (pkcs7 envelope API), NSS's cmsutil, certutil and pk12util
# (libnss3-tools: Thunderbird's CMS engine), slapd/ldapsearch for the directory tests, for
# the ActiveSync GAL tests Horde's ActiveSync server (php-cli php-horde-activesync
# php-horde-controller php-mbstring), libwbxml2-utils and stunnel4, and for the bindings
# (scripts/bindings.sh) a JDK, JNA, npm, gcc and Python's venv.
#
# As root, whatever is missing is installed (apt-get, and pip for `cryptography`);
# otherwise the script prints the install command and exits 2. Nothing is installed when
# everything is there. scripts/test.sh and scripts/bindings.sh call it; .ci/run starts it
# first, in the background, so the downloads overlap the lint and doc builds.
set -euo pipefail

# command -> Debian package
declare -A PACKAGE_OF=(
  [openssl]=openssl
  [gpgsm]=gpgsm
  [gpg-agent]=gpg-agent
  [gpgconf]=gpgconf
  [slapd]=slapd
  [slapadd]=slapd
  [ldapsearch]=ldap-utils
  [python3]=python3
  [php]=php-cli
  [xml2wbxml]=libwbxml2-utils
  [wbxml2xml]=libwbxml2-utils
  [stunnel4]=stunnel4
  [cmsutil]=libnss3-tools
  [certutil]=libnss3-tools
  [pk12util]=libnss3-tools
  [java]=default-jdk-headless
  [npm]=npm
  [gcc]=gcc
)

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }

# The ActiveSync tests' PHP libraries (Horde's ActiveSync server, ../shared/peers/eas-horde).
missing_php_libraries() {
  [ -f /usr/share/php/Horde/ActiveSync.php ] || echo php-horde-activesync
  [ -f /usr/share/php/Horde/Controller/Base.php ] || echo php-horde-controller
  { have php && php -m 2>/dev/null | grep -qi '^mbstring$'; } || echo php-mbstring
}

# What the bindings need beyond commands: JNA for Kotlin, libc headers, Python's venv.
missing_binding_libraries() {
  [ -f /usr/share/java/jna.jar ] || echo libjna-java
  [ -f /usr/include/stdio.h ] || echo libc6-dev
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || echo python3-venv
}

missing_packages() {
  local cmd
  {
    for cmd in "${!PACKAGE_OF[@]}"; do
      have "$cmd" || echo "${PACKAGE_OF[$cmd]}"
    done
    missing_php_libraries
    missing_binding_libraries
  } | sort -u
}

python_ok() {
  python3 -c 'from cryptography.hazmat.primitives.serialization.pkcs7 import PKCS7EnvelopeBuilder, pkcs7_decrypt_der' \
    >/dev/null 2>&1
}

# Quiet apt-get: its output only matters when it fails.
apt_install() {
  local log
  log=$(mktemp)
  if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"; } \
    >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "peers.sh: apt-get install $* failed" >&2
    exit 2
  fi
  rm -f "$log"
}

pip_install_cryptography() {
  if ! python3 -m pip --version >/dev/null 2>&1; then
    apt_install python3-pip
  fi
  # Debian's python3 is "externally managed" (PEP 668); a pyenv/venv python is not.
  python3 -m pip install --quiet --disable-pip-version-check 'cryptography>=45' 2>/dev/null ||
    python3 -m pip install --quiet --disable-pip-version-check --break-system-packages 'cryptography>=45'
}

mapfile -t missing < <(missing_packages)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "peers.sh: installing ${missing[*]}" >&2
    apt_install "${missing[@]}"
  else
    echo "peers.sh: missing test tools; install them with:" >&2
    echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}" >&2
    python_ok || echo "  python3 -m pip install 'cryptography>=45'" >&2
    exit 2
  fi
fi
if ! python_ok; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "peers.sh: installing Python cryptography>=45 with pip" >&2
    pip_install_cryptography
    python_ok || { echo "peers.sh: Python cryptography>=45 still not importable" >&2; exit 2; }
  else
    echo "peers.sh: Python cryptography>=45 (pkcs7 envelope API) missing; install it with:" >&2
    echo "  python3 -m pip install 'cryptography>=45'" >&2
    exit 2
  fi
fi
