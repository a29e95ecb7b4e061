#!/usr/bin/env bash
# Runs a command inside a network namespace of the project's own, so the pod addresses the
# process kubelet routes (10.244.0.0/16 on the namespace's loopback) exist only there and no test
# traffic ever targets a real private range.
#   netns.sh COMMAND...            a fresh namespace for this command alone (the test suite)
#   netns.sh --named NAME COMMAND  a named one that outlives the command (the demo cluster), shared
#                                  by `npm run cluster` and `npm run nats`
# Already inside one (NATS_WARDEN_NETNS set), it just runs the command.
# Before entering, it builds every pinned tool that is missing (local-cluster/tools): the Go module
# proxy cannot be reached from inside the namespace, so nothing may be left to build there.
set -euo pipefail
if [ -n "${NATS_WARDEN_NETNS:-}" ]; then exec "$@"; fi
node "$(dirname "$0")/../tools/tools.ts" build
if [ "${1:-}" = "--named" ]; then
  name=$2
  shift 2
  if ! ip netns list | grep -qw "$name"; then
    ip netns add "$name"
    ip netns exec "$name" ip link set lo up
  fi
  # A real node's containerd needs the machine's cgroup mounts, which `ip netns exec` hides (it
  # remounts /sys): with NATS_WARDEN_REAL_NODES=1 or only, only the network namespace is entered.
  if [ "${NATS_WARDEN_REAL_NODES:-}" = 1 ] || [ "${NATS_WARDEN_REAL_NODES:-}" = only ]; then
    NATS_WARDEN_NETNS=$name exec nsenter --net="/run/netns/$name" -- "$@"
  fi
  NATS_WARDEN_NETNS=$name exec ip netns exec "$name" "$@"
fi
NATS_WARDEN_NETNS=anonymous exec unshare --net -- bash -c 'ip link set lo up && exec "$@"' netns "$@"
