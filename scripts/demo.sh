#!/usr/bin/env bash
# The README's first command: the extension on the bundled example (examples/service-repo on top
# of the preset library examples/ci-library) in a real VS Code.
#   - with `code` on PATH: a VS Code window with the extension loaded from this folder;
#   - else: code-server (installed into .cache/e2e on first use) on 127.0.0.1, URL printed.
# Before that, the CLI prints the expanded pipeline of the same example.
# DEMO_NO_EDITOR=1 only prints the expansion.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent build
node dist/cli.js expand examples/service-repo --project acme/ci-library@v1.2.0=examples/ci-library
[ "${DEMO_NO_EDITOR:-}" = 1 ] && exit 0

# A copy of the example whose workspace settings map the library to the checkout beside it.
WS="$(mktemp -d "${TMPDIR:-/tmp}/gcp-demo-XXXXXX")"
cp -R examples/. "$WS/"
mkdir -p "$WS/service-repo/.vscode"
cat > "$WS/service-repo/.vscode/settings.json" <<JSON
{ "gitlabCiPresets.localProjects": { "acme/ci-library@v1.2.0": "../ci-library" } }
JSON
echo
if command -v code >/dev/null 2>&1; then
  echo "Opening VS Code with the extension from $PWD on $WS/service-repo"
  exec code --new-window --extensionDevelopmentPath="$PWD" "$WS/service-repo" "$WS/service-repo/.gitlab-ci.yml"
fi
echo "No 'code' command: starting code-server on 127.0.0.1 (first run installs it into .cache/e2e)."
exec node --import tsx scripts/e2e/code-server.ts serve "$WS/service-repo"
