# The two quick-start commands. Both install what they need first (npm packages, Node 24 through
# the `node` devDependency; the tools build themselves from the Go module proxy on first use).
.PHONY: demo test install

install: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The main job: a local control plane, the operator, a secured 3-node cluster, a TLS round trip.
demo: install
	npm run -s demo

# The whole suite, as CI runs it: lint, types, unit, real nats-servers, e2e on the control plane.
test: install
	npm run -s lint
	npm run -s typecheck
	npm test
