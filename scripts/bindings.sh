#!/usr/bin/env bash
# The foreign-language bindings, built and tested: the `smime-ffi` cdylib is built once
# (debug profile, dependencies optimised, as `cargo test` builds it) and reused by all:
#
#   Python  `pip install ./bindings/python` (maturin, UniFFI) into a fresh venv, then
#           the pytest suite (story + `openssl cms` interop) and the example script;
#   Kotlin  bindings generated with the crate's `uniffi-bindgen`, compiled with the npm
#           `kotlin-compiler` jars against Debian's JNA, and the story program run;
#   Swift   .swift, header and modulemap generated; no Swift compiler installs here, so
#           the header is checked with gcc.
#
#   bash scripts/bindings.sh            (run by scripts/test.sh; as root installs what
#                                        it needs: apt-get, pip in a venv, npm)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
target="${CARGO_TARGET_DIR:-$root/target}"
work="$target/bindings"
lib="$target/debug/libsmime_uniffi.so"
bindgen="$target/debug/uniffi-bindgen"

step() { echo "== bindings: $*" >&2; }

bash scripts/peers.sh

step "building the smime-ffi library and uniffi-bindgen"
cargo build --quiet -p smime-ffi --all-features
mkdir -p "$work"
rm -rf "$work/pki" "$work/story"
bash bindings/test-pki.sh "$work/pki"

# ── Python ──────────────────────────────────────────────────────────────────────
step "Python: pip install ./bindings/python into a fresh venv"
rm -rf "$work/venv"
python3 -m venv "$work/venv"
py="$work/venv/bin/python"
"$py" -m pip install --quiet --disable-pip-version-check pytest
# The same profile and features as the library built above: maturin reuses it.
MATURIN_PEP517_ARGS="--profile dev --all-features" \
  "$py" -m pip install --quiet --disable-pip-version-check ./bindings/python
step "Python: pytest (against the installed wheel)"
# From another folder, so `import smime` can only be the installed package.
(cd "$work" && "$py" -m pytest -q -p no:cacheprovider "$root/bindings/python/tests")
step "Python: examples/quickstart.py"
(cd "$work" && "$py" "$root/bindings/python/examples/quickstart.py" >/dev/null)

# ── Kotlin ──────────────────────────────────────────────────────────────────────
step "Kotlin: generating and compiling the bindings and the story"
rm -rf "$work/kotlin" && mkdir -p "$work/kotlin"
"$bindgen" generate --library "$lib" --language kotlin --out-dir "$work/kotlin/src" >/dev/null
kotlinc_home="$work/npm/node_modules/kotlin-compiler"
if [ ! -f "$kotlinc_home/lib/kotlin-compiler.jar" ]; then
  mkdir -p "$work/npm"
  (cd "$work/npm" && npm install --silent --no-audit --no-fund --ignore-scripts kotlin-compiler >/dev/null)
fi
kotlin_lib="$kotlinc_home/lib"
jna=/usr/share/java/jna.jar
java -cp "$kotlin_lib/kotlin-compiler.jar:$kotlin_lib/kotlin-stdlib.jar" \
  org.jetbrains.kotlin.cli.jvm.K2JVMCompiler -kotlin-home "$kotlinc_home" -no-reflect -nowarn \
  -cp "$jna" -d "$work/kotlin/story.jar" \
  $(find "$work/kotlin/src" -name '*.kt') bindings/kotlin/Story.kt
step "Kotlin: running the story"
mkdir -p "$work/story"
java -Djna.library.path="$(dirname "$lib")" \
  -cp "$work/kotlin/story.jar:$kotlin_lib/kotlin-stdlib.jar:$jna" StoryKt "$work/pki" "$work/story"

# ── Swift ───────────────────────────────────────────────────────────────────────
step "Swift: generating the bindings and checking the C header"
rm -rf "$work/swift"
"$bindgen" generate --library "$lib" --language swift --out-dir "$work/swift" >/dev/null
for f in smime.swift smimeFFI.h smimeFFI.modulemap; do
  [ -s "$work/swift/$f" ] || { echo "bindings.sh: uniffi-bindgen wrote no $f" >&2; exit 1; }
done
# Included from a C file, as the Swift compiler's Clang importer would: every
# declaration must parse (Clang's nullability qualifiers defined away for gcc).
printf '#include "smimeFFI.h"\n' |
  gcc -fsyntax-only -Wall -Werror -D_Nullable= -D_Nonnull= -I "$work/swift" -x c -
step "all bindings passed"
