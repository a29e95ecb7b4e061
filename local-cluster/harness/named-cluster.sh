#!/usr/bin/env bash
# The entry point of the long-lived cluster that `npm run demo`, `npm run cluster` and `npm run nats`
# share. It lives in a named network namespace, NATS_WARDEN_NETNS_NAME (default nats-warden; set it
# so two people on one machine each have their own), and runs on the three real nodes alone
# (NATS_WARDEN_REAL_NODES=only) when the machine can run them: root and the cgroup v1 hierarchies,
# the Makefile's test-real-nodes check. Elsewhere it runs on the process kubelet. All three commands
# decide the same way, so `cluster down` and `nats` find what the demo started. A
# NATS_WARDEN_REAL_NODES set by the caller, even empty, wins.
set -euo pipefail
if [ -z "${NATS_WARDEN_REAL_NODES+set}" ]; then
  if [ "$(id -u)" = 0 ] && [ -d /sys/fs/cgroup/memory ]; then
    export NATS_WARDEN_REAL_NODES=only
  else
    export NATS_WARDEN_REAL_NODES=
  fi
fi
# Real nodes run the project's images, which cannot be built inside the namespace: never skip them.
if [ -n "$NATS_WARDEN_REAL_NODES" ]; then unset NATS_WARDEN_SKIP_IMAGES; fi
exec "$(dirname "$0")/netns.sh" --named "${NATS_WARDEN_NETNS_NAME:-nats-warden}" "$@"
