# shellcheck shell=bash
# Source this on a fresh machine: Node 24 (the npm registry's `node` package), `npm ci`, this
# checkout's bin/ on the PATH, and with --docker the local Docker engine and image stand-ins of
# ../shared/docker-kit.
#   source scripts/setup.sh [--docker]
_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_node_prefix="${NODE24_PREFIX:-$HOME/.cache/generator-django-prod/node24}"
if [ ! -x "$_node_prefix/node_modules/node/bin/node" ]; then
  npm install --prefix "$_node_prefix" --no-save --no-audit --no-fund node@24 >/dev/null || return 1
fi
# bin/: django-prod-verify, which a generated repository's `make verify` runs (from this checkout).
export PATH="$_repo/bin:$_node_prefix/node_modules/node/bin:$PATH"
# npm ci, skipped when the lockfile is already installed (the checkout runs its TypeScript sources: no build).
if [ ! -f "$_repo/node_modules/.package-lock.json" ] || [ "$_repo/package-lock.json" -nt "$_repo/node_modules/.package-lock.json" ]; then
  (cd "$_repo" && npm ci --no-audit --no-fund) || return 1
fi
if [ "${1:-}" = "--docker" ]; then
  bash "$_repo/../shared/docker-kit/up" || return 1
  # shellcheck source=/dev/null
  source "$_repo/../shared/docker-kit/env.sh"
fi
unset _repo _node_prefix
