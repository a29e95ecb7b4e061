#!/usr/bin/env sh
# Exits 0 when this machine can run the local cluster's real nodes: root (mount and network
# namespaces) and the cgroup v1 hierarchies (kubelet 1.37 with cgroupfs; docs/testing.md). The one
# place this is decided, for the Makefile and named-cluster.sh.
[ "$(id -u)" = 0 ] && [ -d /sys/fs/cgroup/memory ]
