#!/usr/bin/env bash
# The runtime matrix: the unit and contract projects on Node 22 and 24 (the
# machine's own Node runs everything in `npm test`), and the core's own tests
# (core/**/*.test.ts, on the memory adapters) under Bun, under Deno and in
# Chromium. Node, Bun and Deno come from their npm packages, installed into a
# folder outside the project (RUNTIMES_TOOLS, default $TMPDIR/my-calls-runtimes),
# never as project dependencies. Chromium is the machine's (CHROMIUM_PATH,
# default /usr/bin/chromium).
#
#   npm run test:runtimes                     # the whole matrix
#   npm run test:runtimes -- bun deno         # some of it
#   NODE_PROJECTS="unit contract e2e" npm run test:runtimes -- node24
#
# Prints each runtime's version, test files and tests; exits non-zero when any
# runtime fails, after running the others.
set -uo pipefail
cd "$(dirname "$0")/../.."

runtimes=("$@")
[ ${#runtimes[@]} -eq 0 ] && runtimes=(node22 node24 bun deno chromium)
node_projects=(${NODE_PROJECTS:-unit contract})
tools="${RUNTIMES_TOOLS:-${TMPDIR:-/tmp}/my-calls-runtimes}"
results="$(mktemp -d "${TMPDIR:-/tmp}/my-calls-runtimes-results.XXXXXX")"
platform="$(node -p 'process.platform + "-" + process.arch')"
vitest=node_modules/vitest/vitest.mjs

packages=()
for runtime in "${runtimes[@]}"; do
  case "$runtime" in
    node22 | node24) packages+=("$runtime@npm:node-$platform@${runtime#node}") ;;
    bun) packages+=("bun@1") ;;
    deno) packages+=("deno@2") ;;
    chromium) ;;
    *) echo "unknown runtime $runtime (node22, node24, bun, deno, chromium)" >&2; exit 2 ;;
  esac
done
if [ ${#packages[@]} -gt 0 ]; then
  echo "== installing ${packages[*]} into $tools"
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-save --no-package-lock --no-audit --no-fund \
    --loglevel=error "${packages[@]}" || exit 1
fi

# The first candidate that runs: each package puts its binary in a place of its own.
first_runnable() {
  for candidate in "$@"; do
    if [ -x "$candidate" ] && "$candidate" --version >/dev/null 2>&1; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

summary=()
failed=()
record() { # name version json status seconds
  local counts
  counts="$(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`${r.testResults.length} files, ${r.numPassedTests} of ${r.numTotalTests} tests passed`);
  ' "$3" 2>/dev/null || echo "no results")"
  summary+=("$(printf '%-10s %-28s %-40s %s s' "$1" "$2" "$counts" "$5")")
  [ "$4" -eq 0 ] || failed+=("$1")
}

for runtime in "${runtimes[@]}"; do
  json="$results/$runtime.json"
  reporters=(--reporter=default --reporter=json "--outputFile.json=$json")
  started=$SECONDS
  case "$runtime" in
    node22 | node24)
      bin="$(first_runnable "$tools/node_modules/$runtime/bin/node")" || { echo "no $runtime binary" >&2; failed+=("$runtime"); continue; }
      version="node $("$bin" --version)"
      echo "== $version: ${node_projects[*]}"
      # First on PATH too, so that anything a test spawns as `node` is this one.
      PATH="$(dirname "$bin"):$PATH" "$bin" "$vitest" run \
        $(printf -- '--project %s ' "${node_projects[@]}") "${reporters[@]}"
      ;;
    bun)
      bin="$(first_runnable "$tools/node_modules/bun/bin/bun.exe" "$tools/node_modules/@oven/bun-$platform/bin/bun")" || { echo "no bun binary" >&2; failed+=(bun); continue; }
      version="bun $("$bin" --version)"
      echo "== $version: the core's tests"
      # --bun: vitest, and the workers it forks, run on Bun rather than a node on PATH.
      EXPECT_RUNTIME=bun "$bin" --bun "$vitest" run --config test/runtimes/vitest.config.ts \
        --project core "${reporters[@]}"
      ;;
    deno)
      bin="$(first_runnable "$tools/node_modules/deno/deno" $(find "$tools/node_modules/@deno" -maxdepth 2 -type f -name deno 2>/dev/null))" || { echo "no deno binary" >&2; failed+=(deno); continue; }
      version="deno $("$bin" --version | head -1 | cut -d' ' -f2)"
      echo "== $version: the core's tests"
      EXPECT_RUNTIME=deno "$bin" run --allow-all --no-lock "$vitest" run \
        --config test/runtimes/vitest.config.ts --project core "${reporters[@]}"
      ;;
    chromium)
      chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
      version="$("$chromium" --version 2>/dev/null | grep -o 'Chromium [0-9.]*' || echo "chromium ?")"
      echo "== $version: the core's tests, in a page"
      CHROMIUM_PATH="$chromium" node "$vitest" run --config test/runtimes/vitest.config.ts \
        --project core-chromium "${reporters[@]}"
      ;;
  esac
  record "$runtime" "$version" "$json" $? $((SECONDS - started))
done

echo "== runtime matrix"
printf '%s\n' "${summary[@]}"
rm -rf "$results"
if [ ${#failed[@]} -gt 0 ]; then
  echo "failed: ${failed[*]}" >&2
  exit 1
fi
