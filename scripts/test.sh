#!/usr/bin/env bash
# The test command (README): installs the peers the tests drive, then runs every test.
#
#   bash scripts/test.sh [extra cargo test arguments]
#
# The tests drive real peers: openssl (the test PKI is made at test time), gpgsm with
# gpg-agent, Python `cryptography` >= 45 (pkcs7 envelope API), NSS's cmsutil, certutil and
# pk12util (libnss3-tools: Thunderbird's CMS engine), slapd/ldapsearch for the
# directory tests, and for the ActiveSync GAL tests Horde's ActiveSync server (php-cli
# php-horde-activesync php-horde-controller php-mbstring), libwbxml2-utils and stunnel4;
# scripts/bindings.sh adds a JDK, JNA, npm and a Python venv for the binding suites.
# As root, whatever is missing is installed (apt-get, and pip for
# `cryptography`); otherwise the script prints the install command and exits 2. No test
# skips itself when a tool is missing.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

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
)

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ]; }

# The ActiveSync tests' PHP libraries (Horde's ActiveSync server, ../shared/peers/eas-horde).
missing_php_libraries() {
  [ -f /usr/share/php/Horde/ActiveSync.php ] || echo php-horde-activesync
  [ -f /usr/share/php/Horde/Controller/Base.php ] || echo php-horde-controller
  { have php && php -m 2>/dev/null | grep -qi '^mbstring$'; } || echo php-mbstring
}

missing_packages() {
  local cmd
  {
    for cmd in "${!PACKAGE_OF[@]}"; do
      have "$cmd" || echo "${PACKAGE_OF[$cmd]}"
    done
    missing_php_libraries
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
    echo "test.sh: apt-get install $* failed" >&2
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
    echo "test.sh: installing ${missing[*]}" >&2
    apt_install "${missing[@]}"
  else
    echo "test.sh: missing test tools; install them with:" >&2
    echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}" >&2
    python_ok || echo "  python3 -m pip install 'cryptography>=45'" >&2
    exit 2
  fi
fi
if ! python_ok; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "test.sh: installing Python cryptography>=45 with pip" >&2
    pip_install_cryptography
    python_ok || { echo "test.sh: Python cryptography>=45 still not importable" >&2; exit 2; }
  else
    echo "test.sh: Python cryptography>=45 (pkcs7 envelope API) missing; install it with:" >&2
    echo "  python3 -m pip install 'cryptography>=45'" >&2
    exit 2
  fi
fi

# fuzz/ is its own workspace and is not part of this one; --workspace covers the crate,
# its unit, integration and doc tests, the `smime` command (cli/) the CLI tests run and
# the UniFFI crate (ffi/).
set +e
cargo test --all-features --workspace "$@"
status=$?
set -e
# The Python, Kotlin and Swift bindings, on the library built above (scripts/bindings.sh);
# the whole run only, not a run narrowed with cargo arguments.
if [ "$#" -eq 0 ]; then
  bash scripts/bindings.sh || status=1
  # No sample private key in the library or the cdylib the bindings load (issue 11).
  bash scripts/no_sample_keys.sh || status=1
fi
exit "$status"
