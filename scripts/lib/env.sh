# Sourced by the scripts: tool versions pinned in one place and PATH with the tools first.
# shellcheck shell=bash
export TRUNK_VERSION=0.21.14
export WASM_BINDGEN_VERSION=0.2.130
export BINARYEN_VERSION=132.0.0
PANTAU_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PANTAU_ROOT
export PATH="$PANTAU_ROOT/.tools/npm/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# Trunk must never try to download a tool: it is told where they are and to stay offline.
export TRUNK_OFFLINE=true
export TRUNK_TOOLS_WASM_BINDGEN="$WASM_BINDGEN_VERSION"
export TRUNK_TOOLS_WASM_OPT="version_${BINARYEN_VERSION%%.*}"
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
