# The two quick-start commands. Both install what they need first (npm packages, Node 24 through
# the `node` devDependency; the tools build themselves from the Go module proxy on first use).
.PHONY: demo test test-real-nodes test-real-only install

# Real nodes need root and the cgroup v1 hierarchies (kubelet 1.37 on cgroup v1, as on these
# machines); the targets below that use them ask this one question.
REAL_NODES_POSSIBLE = { [ "$$(id -u)" = 0 ] && [ -d /sys/fs/cgroup/memory ]; }

install: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The main job: a local cluster (three real nodes where the machine can run them, else the process
# kubelet), the operator as pods, a secured 3-node cluster, a TLS round trip, the figures.
demo: install
	npm run -s demo

# The whole suite, as CI runs it: lint, types, unit, real nats-servers, then the e2e specs on a local
# cluster whose only nodes are three real ones (kubelet, containerd and runc, kube-proxy, CoreDNS,
# kube-router's NetworkPolicy firewall): nothing emulated (docs/testing.md). Real nodes need root and
# the cgroup v1 hierarchies (kubelet 1.37 on cgroup v1, as on these machines); elsewhere the e2e
# specs run on the process kubelet, saying so, and the real-node specs skip.
test: install
	npm run -s lint
	npm run -s typecheck
	@if ! $(REAL_NODES_POSSIBLE); then \
	  echo "test: no real nodes here (they need root and the cgroup v1 hierarchies): e2e on the process kubelet"; \
	  npm test; \
	else \
	  NATS_WARDEN_REAL_NODES=only npm test; \
	fi

# The specs that prove the real nodes themselves and what needs them (the node, the pod lifecycle,
# the operator's NetworkPolicy enforced, the install proofs with the operator as pods, the tenants'
# Config-mode revocation within seconds on kubelets that sync every minute): a quick check of a
# change to the local cluster. Same requirements.
test-real-nodes: install
	@if ! $(REAL_NODES_POSSIBLE); then \
	  echo "test-real-nodes: SKIPPED: real nodes need root and the cgroup v1 hierarchies (docs/testing.md)"; \
	else \
	  NATS_WARDEN_REAL_NODES=only npm run -s test:e2e -- local-cluster/specs/real-node local-cluster/specs/pod-lifecycle e2e/network-policy e2e/helm e2e/tenants; \
	fi

# The whole e2e suite (e2e/ and local-cluster/specs) on a cluster whose only nodes are the three real
# ones: no process kubelet, nothing emulated (docs/testing.md, "Real nodes only"). Same requirements.
test-real-only: install
	@if ! $(REAL_NODES_POSSIBLE); then \
	  echo "test-real-only: SKIPPED: real nodes need root and the cgroup v1 hierarchies (docs/testing.md)"; \
	else \
	  NATS_WARDEN_REAL_NODES=only npm run -s test:e2e; \
	fi
