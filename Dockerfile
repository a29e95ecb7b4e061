# The nats-warden image: one image for the operator (`nats-warden operator`) and the reloader sidecar
# in every nats-server pod (`nats-warden reloader`). Runs as uid 65532 and writes nothing outside
# its mounted volumes, so it works with readOnlyRootFilesystem.
# Here it is built by `npm run tools -- build` (local-cluster/tools/images.ts): no registry is
# reachable, so the base named below is assembled locally (Debian bookworm minbase plus Node from
# the `node` npm package) and the npm packages come from the machine's npm cache (NPM_CI_FLAGS=--offline).
# Elsewhere `docker build .` pulls the official image of the same name.
ARG NODE_IMAGE=docker.io/library/node:24.21.0-bookworm-slim

# The production node_modules, from the lock file alone (so the layer is reused until it changes).
# No install scripts: no production package needs one.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY local-cluster/package.json local-cluster/
ARG NPM_CI_FLAGS=
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund ${NPM_CI_FLAGS} \
 && rm -rf node_modules/@nats-warden node_modules/.package-lock.json

# dist/: the TypeScript compiled with the full (development) dependencies, which stay in this stage.
# The `node` devDependency's install script would download a second Node binary: no scripts here either.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY local-cluster/package.json local-cluster/
ARG NPM_CI_FLAGS=
RUN npm ci --ignore-scripts --no-audit --no-fund ${NPM_CI_FLAGS}
COPY tsconfig.json tsconfig.build.json ./
COPY src src
RUN npx tsc -p tsconfig.build.json && find dist -name '*.d.ts' -delete

FROM ${NODE_IMAGE}
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="nats-warden" \
      org.opencontainers.image.description="Kubernetes operator for secured NATS clusters; also the reloader sidecar of its nats-server pods" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/nats-warden/nats-warden" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
# A named user for uid 65532 (as in distroless' `nonroot`), so tools that look the user up find one.
RUN echo 'nonroot:x:65532:65532:nonroot:/home/nonroot:/usr/sbin/nologin' >> /etc/passwd \
 && echo 'nonroot:x:65532:' >> /etc/group \
 && ln -s /app/bin/nats-warden.js /usr/local/bin/nats-warden
WORKDIR /app
ENV NODE_ENV=production
COPY package.json ./
COPY --from=deps /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY bin bin
USER 65532:65532
ENTRYPOINT ["nats-warden"]
CMD ["operator"]
