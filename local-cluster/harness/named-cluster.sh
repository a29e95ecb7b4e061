#!/usr/bin/env bash
# The entry point of the long-lived cluster that `npm run demo`, `npm run cluster` and `npm run nats`
# share. It lives in a named network namespace, NATS_WARDEN_NETNS_NAME (default nats-warden; set it
# so two people on one machine each have their own), so `cluster down` and `nats` find what the demo
# started. Its three real nodes need root and the cgroup v1 hierarchies (docs/testing.md).
set -euo pipefail
if ! "$(dirname "$0")/nodes-possible.sh"; then
  echo "the local cluster's real nodes need root and the cgroup v1 hierarchies (docs/testing.md)" >&2
  exit 1
fi
exec "$(dirname "$0")/netns.sh" --named "${NATS_WARDEN_NETNS_NAME:-nats-warden}" "$@"
