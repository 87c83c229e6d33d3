#!/usr/bin/env bash
# Contract test of the live bookstore: schemathesis reads the served /openapi.json,
# generates requests for every operation (examples, coverage, fuzzing and stateful
# phases) and checks each response against the document. Any failure exits non-zero.
#
# Run from anywhere: `bash .ci/contract.sh`. Knobs for a local investigation:
#   CONTRACT_MAX_EXAMPLES  test cases per operation in the fuzzing phase (default 100)
#   CONTRACT_SEED          hypothesis seed (default 20240601)
#   CONTRACT_WORKERS       concurrent schemathesis workers (default 1)
# Reports (JUnit, the output) and the server's log land in target/contract-report.
set -euo pipefail
cd "$(dirname "$0")/.."

max_examples=${CONTRACT_MAX_EXAMPLES:-100}
seed=${CONTRACT_SEED:-20240601}
workers=${CONTRACT_WORKERS:-1}
venv=target/contract-venv
report_dir=target/contract-report
requirements=.ci/contract/requirements.txt

log() { printf '\n== %s\n' "$*"; }

log "schemathesis"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
# Reinstall only when the pins changed since the venv was last filled.
if ! cmp -s "$requirements" "$venv/requirements.installed"; then
    "$venv/bin/pip" install --disable-pip-version-check --quiet -r "$requirements"
    cp "$requirements" "$venv/requirements.installed"
fi
"$venv/bin/schemathesis" --version

log "build"
cargo build -p bookstore --locked

log "start the bookstore"
tmp=$(mktemp -d)
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

# The service's settings come from this script alone: a FERREST_* variable of the
# calling shell (a JWT issuer, an app-wide rate limit, Redis) would change what is
# tested. Without FERREST_JWT_SECRET the bookstore signs and checks tokens with its
# development secret, so `bookstore token` and the server agree.
clean_env=()
while read -r name; do
    clean_env+=(-u "$name")
done < <(compgen -e | grep '^FERREST_' || true)

port=$("$venv/bin/python" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
rm -rf "$report_dir"
mkdir -p "$report_dir"

env "${clean_env[@]}" \
    DATABASE_URL="sqlite://$tmp/bookstore.db?mode=rwc" PORT="$port" BIND=127.0.0.1 \
    RUST_LOG="${RUST_LOG:-warn}" \
    target/debug/bookstore >"$report_dir/server.log" 2>&1 &
server_pid=$!

for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null "$base/openapi.json" 2>/dev/null; then
        break
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
        cat "$report_dir/server.log" >&2
        echo "the bookstore exited before serving /openapi.json" >&2
        exit 1
    fi
    sleep 0.2
done
curl -fsS -o "$report_dir/openapi.json" "$base/openapi.json"
echo "serving on $base"

token=$(env "${clean_env[@]}" target/debug/bookstore token contract editor admin)

log "seed data"
# The author and the published book that .ci/contract/schemathesis.toml names.
post() {
    curl -fsS -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
        -d "${2:-{\}}" "$base$1"
    echo
}
post /authors '{"name": "Contract Author", "email": "contract@example.com"}' | grep -q '"id":1,'
post /books '{"title": "Contract Book", "isbn": "9780000000001", "price_cents": 1000, "author_id": 1}' |
    grep -q '"id":1,'
post /books/1/publish | grep -q '"published":true'
echo "author 1 and published book 1"

log "schemathesis run"
# Hypothesis keeps caches in .hypothesis/ of the working directory unless told.
export HYPOTHESIS_STORAGE_DIRECTORY="$PWD/$report_dir/hypothesis"
operations=$("$venv/bin/python" -c '
import json, sys
document = json.load(open(sys.argv[1]))
methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
print(sum(len(methods & set(item)) for item in document["paths"].values()))
' "$report_dir/openapi.json")
echo "the document has $operations operations"
# --checks all: every check applies to this service. --workers 1: schemathesis then
# draws the same cases for the same seed, and Python 3.11.7's ast module is not
# thread safe (hypothesis parses lambdas while describing strategies; under several
# workers that fails as "AST constructor recursion depth mismatch"). The hypothesis
# database is off so that a run depends on the seed alone.
status=0
"$venv/bin/schemathesis" --config-file .ci/contract/schemathesis.toml run "$base/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks all \
    --phases examples,coverage,fuzzing,stateful \
    --max-examples "$max_examples" \
    --seed "$seed" \
    --workers "$workers" \
    --generation-database none \
    --request-timeout 10 \
    --output-sanitize false \
    --no-color \
    --report junit \
    --report-dir "$report_dir" 2>&1 | tee "$report_dir/schemathesis.log" ||
    status=$?

log "summary"
tested=$(sed -n 's/^ *Tested: *\([0-9][0-9]*\).*/\1/p' "$report_dir/schemathesis.log" | tail -1)
cases=$(sed -n '/^Test cases:/{n;p}' "$report_dir/schemathesis.log" | tail -1 | sed 's/^ *//')
echo "schemathesis $("$venv/bin/schemathesis" --version | awk '{print $NF}'), seed $seed, $max_examples examples per operation"
echo "operations tested: ${tested:-0} of $operations"
echo "test cases: ${cases:-unknown}"
if [ "$status" -eq 0 ] && [ "${tested:-0}" != "$operations" ]; then
    echo "schemathesis tested ${tested:-0} of the document's $operations operations" >&2
    status=1
fi
if [ "$status" -ne 0 ]; then
    echo "contract test failed (exit $status); reports and the server log are in $report_dir" >&2
fi
exit "$status"
