#!/usr/bin/env bash
# The MCP Inspector CLI (a third-party client, TypeScript SDK, `initialize` handshake) against
# `python -m notion_mcp --sandbox`: tools/list must list the six tools, and a notion_search call
# must find the seeded welcome page; then the same over streamable HTTP (`serve --http`), and a
# keyed server must refuse it (it sends no key).
#
# Installs @modelcontextprotocol/inspector (pinned; 0.15.x runs on Node 20 and its --cli works
# offline once installed) into .ci/node/node_modules, which is git-ignored. Skips, exiting 0, only
# when npx is absent. Environment: PYTHON (default: python3 on PATH), INSPECTOR_VERSION.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NODE_DIR="$HERE/node"
VERSION="${INSPECTOR_VERSION:-0.15.0}"
PYTHON="$(command -v "${PYTHON:-python3}")"
export npm_config_loglevel=error npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

if ! command -v npx >/dev/null 2>&1; then
    echo "inspector: SKIPPED - npx is not installed (install Node.js >= 20 to run the MCP Inspector check)"
    exit 0
fi

installed="$NODE_DIR/node_modules/@modelcontextprotocol/inspector/package.json"
if [ ! -f "$installed" ] || ! grep -q "\"version\": \"$VERSION\"" "$installed"; then
    echo "inspector: installing @modelcontextprotocol/inspector@$VERSION into $NODE_DIR"
    mkdir -p "$NODE_DIR"
    npm install --prefix "$NODE_DIR" --no-save --no-package-lock \
        "@modelcontextprotocol/inspector@$VERSION" >/dev/null
fi

inspect() {
    (cd "$NODE_DIR" && npx --no-install mcp-inspector --cli "$PYTHON" -m notion_mcp --sandbox "$@")
}

inspect_http() {  # URL, then the Inspector's arguments
    local url="$1"; shift
    (cd "$NODE_DIR" && npx --no-install mcp-inspector --cli "$url" --transport http "$@")
}

expect_six_tools() {  # FILE (a tools/list answer) LABEL
    "$PYTHON" - "$1" "$2" <<'EOF'
import json, sys
tools = sorted(t["name"] for t in json.load(open(sys.argv[1]))["tools"])
want = ["notion_blocks", "notion_comments", "notion_databases", "notion_pages", "notion_search", "notion_users"]
if tools != want:
    sys.exit(f"inspector: tools/list {sys.argv[2]} gave {tools}, expected {want}")
print(f"inspector: tools/list {sys.argv[2]} OK ({len(tools)} tools)")
EOF
}

expect_welcome() {  # FILE (a notion_search tools/call answer) LABEL
    "$PYTHON" - "$1" "$2" <<'EOF'
import json, sys
result = json.load(open(sys.argv[1]))
text = "".join(c.get("text", "") for c in result.get("content", []))
if result.get("isError") or "Welcome to the sandbox" not in text:
    sys.exit(f"inspector: tools/call notion_search {sys.argv[2]} failed: {json.dumps(result)[:500]}")
print(f"inspector: tools/call notion_search {sys.argv[2]} OK")
EOF
}

serve_http() {  # LOG [VAR=value ...]: starts `serve --http` in the background; sets http_pid and url
    local log="$1"; shift
    env "$@" "$PYTHON" -m notion_mcp serve --http --port 0 --sandbox 2>"$log" &
    http_pid=$!
    url=""
    for _ in $(seq 1 200); do
        url="$(grep -so 'http://127\.0\.0\.1:[0-9]*/mcp' "$log" | head -1 || true)"
        [ -n "$url" ] && return 0
        kill -0 "$http_pid" 2>/dev/null || { cat "$log"; exit 1; }
        sleep 0.1
    done
    echo "inspector: serve --http printed no URL"; cat "$log"; exit 1
}

out="$(mktemp -d)"
http_pid=""
trap 'if [ -n "$http_pid" ]; then kill "$http_pid" 2>/dev/null || true; fi; rm -rf "$out"' EXIT

inspect --method tools/list >"$out/list.json"
expect_six_tools "$out/list.json" "over stdio"
inspect --method tools/call --tool-name notion_search --tool-arg query=Welcome >"$out/call.json"
expect_welcome "$out/call.json" "over stdio"

# The same client over streamable HTTP against `notion-mcp serve --http` (Inspector >= 0.15 takes
# --transport http; it sends no headers, so the server runs keyless on loopback, which it allows).
serve_http "$out/http.log"
inspect_http "$url" --method tools/list >"$out/http-list.json"
expect_six_tools "$out/http-list.json" "over streamable HTTP"
inspect_http "$url" --method tools/call --tool-name notion_search --tool-arg query=Welcome >"$out/http-call.json"
expect_welcome "$out/http-call.json" "over streamable HTTP"
kill "$http_pid" 2>/dev/null || true

# With API keys set, the Inspector (which sends none) must be refused.
serve_http "$out/http-keyed.log" NOTION_MCP_HTTP_KEYS="ci-key-$(date +%s%N)-0123456789"
if inspect_http "$url" --method tools/list >"$out/refused.json" 2>&1; then
    echo "inspector: a keyed server answered a client without a key"; cat "$out/refused.json"; exit 1
fi
grep -q "missing or wrong API key" "$out/refused.json" || { echo "inspector: expected the 401 answer"; cat "$out/refused.json"; exit 1; }
echo "inspector: a client without a key is refused (401) OK"
kill "$http_pid" 2>/dev/null || true
