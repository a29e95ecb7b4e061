#!/usr/bin/env bash
# CI: system packages the tools and tests need. The Go-built tools themselves come from
# local-cluster/tools (npm run tools -- build); they only need a Go toolchain (GOTOOLCHAIN=auto
# fetches a newer one through the module proxy when a module asks for it) and no C compiler
# (CGO_ENABLED=0).
set -euo pipefail

command -v go >/dev/null || { echo "setup-tools: Go is required (go.dev/dl); none on PATH" >&2; exit 1; }
echo "setup-tools: $(go version)"

# unshare and mount (util-linux) for pod sandboxes, openssl, ip (iproute2) for the test network
# namespace; for the container images (local-cluster/tools/images.ts): buildah builds them,
# debootstrap assembles the Node base image (no registry is reachable), skopeo, umoci and runc let
# the images spec look inside and run them; containerd (with ctr), the CNI plugins (bridge,
# host-local, loopback in /usr/lib/cni) and nsenter run the local cluster's real nodes
# (local-cluster/node), and ipset for their NetworkPolicy engine (kube-router,
# local-cluster/node/network-policy.ts). Install only what is missing.
missing=()
for pair in unshare:util-linux mount:mount openssl:openssl ip:iproute2 buildah:buildah \
  debootstrap:debootstrap skopeo:skopeo umoci:umoci runc:runc containerd:containerd nsenter:util-linux \
  /usr/lib/cni/bridge:containernetworking-plugins ipset:ipset; do
  command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup-tools: installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Never a network of a container tool's own: the builds use chroot isolation (the host's network as
# it is) and runc gets an empty namespace. A packaged CNI config (containers-common's
# 87-podman-bridge.conflist) would let a tool create a bridge on the host, so none is left in place.
for conflist in /etc/cni/net.d/87-podman-bridge.conflist /etc/cni/net.d/87-podman.conflist; do
  if [ -e "$conflist" ]; then
    echo "setup-tools: removing $conflist (a host bridge network)"
    rm -f "$conflist"
  fi
done
