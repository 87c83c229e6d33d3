#!/usr/bin/env bash
# Loads Swagger UI of the bookstore in headless Chromium, with no network beyond
# loopback, and checks that the page rendered the operations from /openapi.json.
# Everything it needs comes from the binary: there is nothing else to reach.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null; then
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi
cargo build -p bookstore --locked
target_dir=$(realpath "${CARGO_TARGET_DIR:-target}")
work=$(mktemp -d)
port=3987
(cd "$work" && PORT=$port exec "$target_dir/debug/bookstore") >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
ready=no
for _ in $(seq 1 100); do
    if curl -fs "http://127.0.0.1:$port/openapi.json" >/dev/null; then ready=yes; break; fi
    sleep 0.2
done
if [ "$ready" != yes ]; then
    echo "the bookstore did not start:" >&2
    cat "$work/server.log" >&2
    exit 1
fi
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --no-first-run --disable-quic --disable-component-update --disable-sync \
    --user-data-dir="$work/profile" --virtual-time-budget=10000 \
    --dump-dom "http://127.0.0.1:$port/docs/" >"$work/dom.html" 2>/dev/null
for expected in 'Bookstore' '/books/{id}' 'Create a book' 'Update an author' 'BookCreate' 'Authorize'; do
    if ! grep -qF "$expected" "$work/dom.html"; then
        echo "Swagger UI did not render \`$expected\`; the page was:" >&2
        head -c 2000 "$work/dom.html" >&2
        exit 1
    fi
done
echo "Swagger UI rendered the bookstore's operations from the binary's assets"
