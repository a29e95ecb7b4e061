#!/usr/bin/env bash
# CI: system packages the tools and tests need. The Go-built tools themselves come from
# local-cluster/tools (npm run tools -- build); they only need a Go toolchain (GOTOOLCHAIN=auto
# fetches a newer one through the module proxy when a module asks for it) and no C compiler
# (CGO_ENABLED=0).
set -euo pipefail

command -v go >/dev/null || { echo "setup-tools: Go is required (go.dev/dl); none on PATH" >&2; exit 1; }
echo "setup-tools: $(go version)"

# unshare and mount (util-linux) for pod sandboxes, openssl, ip (iproute2) for the test network
# namespace: install only what is missing.
missing=()
for pair in unshare:util-linux mount:mount openssl:openssl ip:iproute2; do
  command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-tools: installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
