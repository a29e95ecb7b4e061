#!/usr/bin/env bash
# Runs a command inside a network namespace of the project's own, so the nodes' bridges and pod
# addresses (10.245.0.0/16), kube-proxy's and the NetworkPolicy engine's rules exist only there and no
# test traffic ever targets a real private range.
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
  # A node's containerd needs the machine's cgroup mounts, which `ip netns exec` hides (it remounts
  # /sys): only the network namespace is entered.
  NATS_WARDEN_NETNS=$name exec nsenter --net="/run/netns/$name" -- "$@"
fi
NATS_WARDEN_NETNS=anonymous exec unshare --net -- bash -c 'ip link set lo up && exec "$@"' netns "$@"
