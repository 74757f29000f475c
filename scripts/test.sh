#!/usr/bin/env bash
# Installs what is missing and runs the whole test suite: unit tests and the API in-process (no root
# needed), then the integration tests that drive a real server with real crun sandboxes (root needed).
# The container tests run one at a time.
set -uo pipefail
cd "$(dirname "$0")/.."
./scripts/prerequisites.sh || exit 1
# The stores' contract suite also runs against a real PostgreSQL server, which the tests start themselves
# (in a temporary directory, on a free port): only the programs are needed, not a running service.
if ! dpkg-query -W -f='${Status}' postgresql 2>/dev/null | grep -q "install ok installed"; then
    echo "Installing postgresql (for the tests)"
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql || exit 1
fi

dotnet build Paddock.sln -c Release --nologo -v quiet || exit 1
echo "==> dotnet format --verify-no-changes"
dotnet format Paddock.sln --verify-no-changes || { echo "dotnet format found unformatted code"; exit 1; }

# The in-sandbox agent ships Native AOT: publishing it proves it stays AOT-clean.
echo "==> dotnet publish src/Paddock.Agent (Native AOT)"
dotnet publish src/Paddock.Agent -c Release -o artifacts/agent --nologo -v quiet || exit 1

projects=(
    tests/Paddock.Core.Tests
    tests/Paddock.Api.Tests
    tests/Paddock.Storage.Tests
    tests/Paddock.Runtime.Tests
    tests/Paddock.Agent.Tests
    tests/Paddock.Server.Tests
    tests/Paddock.Client.Tests
    tests/Paddock.Cli.Tests
)
passed=0
failed=0
status=0
failures=()
details=()

# run LABEL PASS_REGEX FAIL_REGEX COMMAND...: runs one suite, echoes its output, adds its counts.
# A suite that fails without reporting a failed test still counts as one failure.
run() {
    local label=$1 pass_re=$2 fail_re=$3 log rc p f
    shift 3
    echo "==> $label"
    log=$(mktemp)
    "$@" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    p=$(grep -oE "$pass_re" "$log" | grep -oE '[0-9]+' | tail -1)
    f=$(grep -oE "$fail_re" "$log" | grep -oE '[0-9]+' | tail -1)
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
    if [ "$rc" != 0 ]; then
        status=1
        [ "${f:-0}" = 0 ] && failed=$((failed + 1))
        # The names of the failed tests, repeated at the end so a long log still says what broke.
        mapfile -t names < <(grep -E '^ *Failed [A-Za-z]|^✖ ' "$log" | grep -v '^✖ failing tests:' | sed -E 's/^ +//' | sort -u)
        [ "${#names[@]}" = 0 ] && names=("$label exited with $rc")
        failures+=("${names[@]}")
        # And why: each failed test's message and the top of its stack, since only the log's tail may be kept.
        details+=("$(awk '
            /^ *Failed [A-Za-z]/ { keep = 1; stack = 0 }
            keep && /^ *Stack Trace:/ { stack = 1 }
            keep && stack && ++stack > 5 { keep = 0 }
            keep && /^ *(Standard Output Messages:|Passed |Skipped )/ { keep = 0 }
            keep { print }
        ' "$log" | head -60)")
    fi
    rm -f "$log"
}

for project in "${projects[@]}"; do
    run "$project" 'Passed: +[0-9]+' 'Failed: +[0-9]+' \
        dotnet test "$project" -c Release --no-build --nologo --logger "console;verbosity=normal"
done

# E2B's own SDKs, unchanged, against a live server.
run tests/e2b-compat '^ℹ pass [0-9]+' '^ℹ fail [0-9]+' \
    bash -c 'cd tests/e2b-compat && npm ci --no-audit --no-fund && node run.mjs'

echo
for detail in "${details[@]}"; do [ -n "$detail" ] && printf '%s\n' "$detail"; done
for name in "${failures[@]}"; do echo "FAILED: $name"; done
echo "$passed passed, $failed failed"
exit $status
