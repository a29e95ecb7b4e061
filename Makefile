# The two quick-start commands. Both install what they need first (npm packages, Node 24 through
# the `node` devDependency; the tools build themselves from the Go module proxy on first use).
.PHONY: demo test test-real-nodes install system-packages

# Real nodes need root and the cgroup v1 hierarchies (kubelet 1.37 on cgroup v1, as on these
# machines); the targets below that use them ask this one question.
REAL_NODES_POSSIBLE = local-cluster/harness/nodes-possible.sh

install: node_modules/.installed

# The Debian packages the local cluster and its image builds need (buildah, debootstrap, skopeo,
# umoci, containerd, runc, the CNI plugins, ipset, iproute2): apt-get installs the missing ones, and
# nothing happens when all are there. Only where real nodes can run (root and cgroup v1); elsewhere
# the e2e suite does not run and needs none of them. A fresh machine failed at the image build,
# thirty minutes in, without this (debootstrap not found): only CI ran the script.
system-packages:
	@if $(REAL_NODES_POSSIBLE); then .ci/setup-tools.sh; fi

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The main job: a local cluster (three real nodes), the operator as pods, a secured 3-node cluster,
# a TLS round trip, the figures.
demo: install system-packages
	npm run -s demo

# The whole suite, as CI runs it: lint, types, unit, real nats-servers, then the e2e specs on the
# local cluster: three real nodes (kubelet, containerd and runc, kube-proxy, CoreDNS, kube-router's
# NetworkPolicy firewall), nothing emulated (docs/testing.md). The nodes need root and the cgroup v1
# hierarchies (kubelet 1.37 on cgroup v1, as on these machines); elsewhere everything but the e2e
# specs runs, and the target fails saying the e2e suite did not.
test: install system-packages
	npm run -s lint
	npm run -s typecheck
	@if ! $(REAL_NODES_POSSIBLE); then \
	  npm test -- --selectProjects unit servers && \
	  echo "test: the e2e suite did NOT run: the local cluster's real nodes need root and the cgroup v1 hierarchies (docs/testing.md)" && \
	  exit 1; \
	else \
	  npm test; \
	fi

# The specs that prove the real nodes themselves and what needs them most (the node, the pod
# lifecycle, the operator's NetworkPolicy enforced, the install proofs with the operator as pods, the
# tenants' Config-mode revocation within seconds on kubelets that sync every minute): a quick check
# of a change to the local cluster. Same requirements.
test-real-nodes: install system-packages
	@if ! $(REAL_NODES_POSSIBLE); then \
	  echo "test-real-nodes: SKIPPED: real nodes need root and the cgroup v1 hierarchies (docs/testing.md)"; \
	else \
	  npm run -s test:e2e -- local-cluster/specs/real-node local-cluster/specs/pod-lifecycle e2e/network-policy e2e/helm e2e/tenants; \
	fi
