#!/usr/bin/env bash
# plugins/polyglot.sh — build every Python and JavaScript/TypeScript plugin of
# this repository (samples and hostile test guests) into components.
#
# Usage:
#   plugins/polyglot.sh OUT_DIR [--only python|js] [--force] [--list] [--test-sdks]
#
# Writes, mirroring the sources:
#   OUT_DIR/samples/NAME.wasm        samples/plugins/python/NAME, samples/plugins/js/NAME
#   OUT_DIR/guests-python/NAME.wasm  tests/guests-python/NAME
#   OUT_DIR/guests-js/NAME.wasm      tests/guests-js/NAME
# (NAME is the source folder's name; two samples of one name fail the run.)
#
# Toolchains are installed on first use, from the registries only, into the
# cache folder ($SCENA_POLYGLOT_CACHE, default <repo>/target/polyglot):
#   venv/   a Python venv with componentize-py, pinned by plugins/python-sdk/requirements.txt
#   js/     node_modules with componentize-js, jco, esbuild and TypeBox, pinned by
#           plugins/js-sdk/package-lock.json (npm ci)
# and reinstalled when those pin files change. Needs python3 (>= 3.10) and
# node (>= 20) with npm on PATH ($PYTHON, $NODE, $NPM override them).
#
# --test-sdks: then run the SDKs' own tests (plugins/python-sdk/tests with
# unittest, plugins/js-sdk/test with node --test) with those toolchains;
# they check the SDKs' wrappers against host-api/wit, so the two cannot drift.
#
# Idempotent: an output is rebuilt only when the sha256 over its sources, the
# SDK, the WIT world, the pins and its build flags differs from the one recorded
# at its last build (stamps in CACHE/stamps/); --force rebuilds everything.
# A folder may hold `build.flags`: extra arguments for its SDK's build (the
# undeclared-import guests use `--allow-undeclared`).
#
# Per-plugin builds: python -m scena_plugin.build DIR -o OUT (plugins/python-sdk)
# and node plugins/js-sdk/build.mjs DIR -o OUT; see their --help.
#
# Output: one line per plugin ("built PATH (N s)" or "up to date PATH") on
# stdout, toolchain and build messages on stderr; the last stdout line is
# "polyglot: B built, U up to date in OUT_DIR".
# Exit: 0 all built or up to date, 1 a plugin failed to build (the others
# are still built), 2 usage, 3 a toolchain could not be installed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${SCENA_POLYGLOT_CACHE:-$ROOT/target/polyglot}"
PYTHON="${PYTHON:-python3}"
NODE="${NODE:-node}"
NPM="${NPM:-npm}"
PY_SDK="$ROOT/plugins/python-sdk"
JS_SDK="$ROOT/plugins/js-sdk"
WIT="$ROOT/host-api/wit"

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

OUT="" ONLY="" FORCE=0 LIST=0 TEST_SDKS=0
while [ $# -gt 0 ]; do
  case "$1" in
    --only) [ $# -ge 2 ] || usage; ONLY="$2"; shift 2 ;;
    --only=*) ONLY="${1#--only=}"; shift ;;
    --force) FORCE=1; shift ;;
    --list) LIST=1; shift ;;
    --test-sdks) TEST_SDKS=1; shift ;;
    -h|--help) usage ;;
    -*) echo "polyglot: unknown option $1" >&2; usage ;;
    *) [ -z "$OUT" ] || usage; OUT="$1"; shift ;;
  esac
done
[ -n "$OUT" ] || usage
case "$ONLY" in ""|python|js) ;; *) echo "polyglot: --only takes python or js" >&2; exit 2 ;; esac
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

# --- what to build: "lang<TAB>source dir<TAB>output" ------------------------
plan() {
  local d
  if [ "$ONLY" != js ]; then
    for d in "$ROOT"/samples/plugins/python/*/; do [ -f "$d/step.py" ] && printf 'python\t%s\t%s\n' "${d%/}" "$OUT/samples/$(basename "$d").wasm"; done
    for d in "$ROOT"/tests/guests-python/*/; do [ -f "$d/step.py" ] && printf 'python\t%s\t%s\n' "${d%/}" "$OUT/guests-python/$(basename "$d").wasm"; done
  fi
  if [ "$ONLY" != python ]; then
    for d in "$ROOT"/samples/plugins/js/*/; do [ -f "$d/step.ts" ] || [ -f "$d/src/step.ts" ] || [ -f "$d/package.json" ] || continue; printf 'js\t%s\t%s\n' "${d%/}" "$OUT/samples/$(basename "$d").wasm"; done
    for d in "$ROOT"/tests/guests-js/*/; do [ -f "$d/step.ts" ] || [ -f "$d/src/step.ts" ] || [ -f "$d/package.json" ] || continue; printf 'js\t%s\t%s\n' "${d%/}" "$OUT/guests-js/$(basename "$d").wasm"; done
  fi
  return 0
}
PLAN="$(plan)"
DUPES="$(printf '%s\n' "$PLAN" | cut -f3 | sort | uniq -d)"
if [ -n "$DUPES" ]; then echo "polyglot: two plugins would be written to $DUPES: rename one folder" >&2; exit 2; fi
if [ "$LIST" = 1 ]; then printf '%s\n' "$PLAN"; exit 0; fi
[ -n "$PLAN" ] || { echo "polyglot: built 0 (nothing to build)"; exit 0; }

sha_of() { sha256sum "$@" | sha256sum | cut -c1-64; }
# The sha256 over every file of the given folders (sorted), build outputs, node_modules and caches left out.
tree_sha() {
  find "$@" -type f ! -path '*/node_modules/*' ! -path '*/__pycache__/*' ! -path '*/build/*' ! -name '*.wasm' ! -name '*.pyc' -print0 \
    | LC_ALL=C sort -z | xargs -0 sha256sum | sed "s|$ROOT/||" | sha256sum | cut -c1-64
}

# --- toolchains ------------------------------------------------------------
PY_TOOL=""
python_toolchain() {
  [ -z "$PY_TOOL" ] || return 0
  local venv="$CACHE/venv" want have
  want="$(sha_of "$PY_SDK/requirements.txt")"
  have="$(cat "$venv/.scena-pins" 2>/dev/null || true)"
  if [ "$want" != "$have" ] || [ ! -x "$venv/bin/componentize-py" ]; then
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null \
      || { echo "polyglot: $PYTHON (>= 3.10) is needed for the Python SDK" >&2; exit 3; }
    echo "polyglot: installing the Python plugin toolchain ($(tr '\n' ' ' < "$PY_SDK/requirements.txt")) into $venv — once, from PyPI" >&2
    rm -rf "$venv"
    { "$PYTHON" -m venv "$venv" && "$venv/bin/pip" install --disable-pip-version-check -q -r "$PY_SDK/requirements.txt"; } >&2 \
      || { echo "polyglot: installing componentize-py failed" >&2; exit 3; }
    echo "$want" > "$venv/.scena-pins"
  fi
  PY_TOOL="$("$venv/bin/componentize-py" --version 2>/dev/null || echo componentize-py)"
}

JS_TOOL=""
js_toolchain() {
  [ -z "$JS_TOOL" ] || return 0
  local dir="$CACHE/js" want have
  want="$(sha_of "$JS_SDK/package.json" "$JS_SDK/package-lock.json")"
  have="$(cat "$dir/.scena-pins" 2>/dev/null || true)"
  if [ "$want" != "$have" ] || [ ! -d "$dir/node_modules/@bytecodealliance/componentize-js" ]; then
    "$NODE" -e 'process.exit(Number(process.versions.node.split(".")[0]) < 20 ? 1 : 0)' 2>/dev/null \
      || { echo "polyglot: $NODE (>= 20) is needed for the JS SDK" >&2; exit 3; }
    echo "polyglot: installing the JS plugin toolchain (componentize-js, jco, esbuild, TypeBox as pinned by plugins/js-sdk/package-lock.json) into $dir — once, from npm" >&2
    rm -rf "$dir"; mkdir -p "$dir"
    cp "$JS_SDK/package.json" "$JS_SDK/package-lock.json" "$dir/"
    (cd "$dir" && "$NPM" ci --no-audit --no-fund --loglevel=error) >&2 \
      || { echo "polyglot: npm ci of the JS toolchain failed" >&2; exit 3; }
    echo "$want" > "$dir/.scena-pins"
  fi
  JS_TOOL="componentize-js $("$NODE" -p "require('$dir/node_modules/@bytecodealliance/componentize-js/package.json').version")"
}

# --- build -----------------------------------------------------------------
# Builds run $JOBS at a time (default: the cores): one componentize run keeps
# a core and a half busy at most. Each reports into RESULTS; lines print as
# builds end, and the summary counts them all.
JOBS="${SCENA_POLYGLOT_JOBS:-$(nproc 2>/dev/null || echo 2)}"
RESULTS="$(mktemp -d)"
# Builds still running when the script stops (a toolchain failed) finish first.
trap 'wait; rm -rf "$RESULTS"' EXIT
FRESH=0 N=0

build_one() { # lang src out stamp want flags...
  local lang="$1" src="$2" out="$3" stamp="$4" want="$5" started=$SECONDS ok=0
  shift 5
  if [ "$lang" = python ]; then
    (cd "$PY_SDK" && "$CACHE/venv/bin/python" -m scena_plugin.build "$src" -o "$out" -q --wit "$WIT" \
      --componentize-py "$CACHE/venv/bin/componentize-py" "$@") >/dev/null || ok=$?
  else
    SCENA_JS_TOOLCHAIN="$CACHE/js" "$NODE" "$JS_SDK/build.mjs" "$src" -o "$out" -q --wit "$WIT" "$@" >/dev/null || ok=$?
  fi
  if [ "$ok" = 0 ]; then
    echo "$want" > "$stamp"
    echo "built $out ($((SECONDS - started)) s)"
  else
    rm -f "$stamp"
    echo "polyglot: building ${src#"$ROOT"/} failed (exit $ok)" >&2
    echo "${src#"$ROOT"/}" > "$(mktemp "$RESULTS/failed.XXXXXX")"
  fi
}

while IFS=$'\t' read -r lang src out; do
  flags=()
  if [ -f "$src/build.flags" ]; then read -r -a flags < "$src/build.flags" || true; fi
  if [ "$lang" = python ]; then
    python_toolchain
    sdk_sha="$(tree_sha "$PY_SDK/scena_plugin" "$PY_SDK/requirements.txt")"
    tool="$PY_TOOL"
  else
    js_toolchain
    sdk_sha="$(tree_sha "$JS_SDK/src" "$JS_SDK/build.mjs" "$JS_SDK/package-lock.json")"
    tool="$JS_TOOL"
  fi
  stamp="$CACHE/stamps/${out#"$OUT"/}.sha256"
  want="$(printf '%s\n' "$(tree_sha "$src")" "$sdk_sha" "$(tree_sha "$WIT")" "$tool" "${flags[*]:-}" "$out" | sha256sum | cut -c1-64)"
  if [ "$FORCE" = 0 ] && [ -f "$out" ] && [ "$(cat "$stamp" 2>/dev/null || true)" = "$want" ]; then
    echo "up to date $out"; FRESH=$((FRESH + 1)); continue
  fi
  mkdir -p "$(dirname "$out")" "$(dirname "$stamp")"
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
  build_one "$lang" "$src" "$out" "$stamp" "$want" ${flags[@]+"${flags[@]}"} &
  N=$((N + 1))
done <<< "$PLAN"
wait

FAILED=()
for f in "$RESULTS"/failed.*; do [ -e "$f" ] && FAILED+=("$(cat "$f")"); done
echo "polyglot: $((N - ${#FAILED[@]})) built, $FRESH up to date in $OUT${FAILED[*]:+; FAILED: ${FAILED[*]}}"
[ ${#FAILED[@]} -eq 0 ] || exit 1

if [ "$TEST_SDKS" = 1 ]; then
  if [ "$ONLY" != js ]; then
    python_toolchain
    (cd "$PY_SDK" && SCENA_COMPONENTIZE_PY="$CACHE/venv/bin/componentize-py" "$CACHE/venv/bin/python" -m unittest discover -q -s tests -t .) \
      || { echo "polyglot: the Python SDK's tests failed" >&2; exit 1; }
  fi
  if [ "$ONLY" != python ]; then
    js_toolchain
    (cd "$JS_SDK" && SCENA_JS_TOOLCHAIN="$CACHE/js" "$NODE" --test test/) \
      || { echo "polyglot: the JS SDK's tests failed" >&2; exit 1; }
  fi
  echo "polyglot: the SDKs' tests passed"
fi
