#!/usr/bin/env bash
# Generates a TypeScript client of the bookstore from its committed OpenAPI document
# (openapi-typescript + openapi-fetch), type-checks it with `tsc --strict`, then runs
# examples/bookstore-ts/src/roundtrip.ts with node against a live bookstore on a fresh
# SQLite database. Fails if the document does not generate, the client does not
# type-check against it, or the service does not answer as the document says.
# Needs Node 20+, npm with access to the npm registry, and the Rust toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

log() { printf '\n== %s\n' "$*"; }

client=examples/bookstore-ts
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
    echo "Node 20 or later is needed, found $(node --version)" >&2
    exit 1
fi

log "npm ci ($client)"
(cd "$client" && npm ci --no-audit --no-fund)
echo "node $(node --version), npm $(npm --version)"
(cd "$client" && node -p '["openapi-typescript", "openapi-fetch", "typescript"]
    .map((name) => `${name} ${require(`./node_modules/${name}/package.json`).version}`)
    .join("\n")')

log "generate src/schema.d.ts from examples/bookstore/openapi.json"
rm -f "$client/src/schema.d.ts"
(cd "$client" && npm run --silent generate)
test -s "$client/src/schema.d.ts"

log "no any, casts or ts-ignore in the client"
(cd "$client" && npm run --silent check:escape-hatches)

log "tsc --strict"
(cd "$client" && npx --no-install tsc --noEmit -p .)
rm -rf "$client/dist"
(cd "$client" && npx --no-install tsc -p .)

log "build the bookstore"
cargo build -p bookstore --locked
target_dir=$(realpath "${CARGO_TARGET_DIR:-target}")
bookstore="$target_dir/debug/bookstore"

log "start the bookstore"
work=$(mktemp -d)
server=""
cleanup() {
    status=$?
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    if [ "$status" -ne 0 ] && [ -f "$work/server.log" ]; then
        echo "--- bookstore log (last 40 lines)" >&2
        tail -n 40 "$work/server.log" >&2
    fi
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
port=$(node -e 'const s = require("node:net").createServer();
    s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
export DATABASE_URL="sqlite://$work/bookstore.db?mode=rwc" PORT="$port" BIND=127.0.0.1
(cd "$work" && exec "$bookstore") >"$work/server.log" 2>&1 &
server=$!
url="http://127.0.0.1:$port"
ready=no
for _ in $(seq 1 150); do
    if curl -fs "$url/openapi.json" -o "$work/served.json"; then ready=yes; break; fi
    if ! kill -0 "$server" 2>/dev/null; then break; fi
    sleep 0.2
done
if [ "$ready" != yes ]; then
    echo "the bookstore did not start on $url" >&2
    exit 1
fi
echo "bookstore on $url, database $DATABASE_URL"

# The types come from the committed document; they are only worth checking if the live
# service serves that same document.
node "$client/scripts/same-document.mjs" "$work/served.json" examples/bookstore/openapi.json

log "round trip"
BOOKSTORE_URL="$url" \
BOOKSTORE_TOKEN=$(cd "$work" && "$bookstore" token ts-client editor admin) \
BOOKSTORE_EDITOR_TOKEN=$(cd "$work" && "$bookstore" token ts-editor editor) \
    node --enable-source-maps "$client/dist/roundtrip.js"

echo "TypeScript client check passed in $((SECONDS - started))s"
