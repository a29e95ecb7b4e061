// nats.conf for a NatsCluster: listeners, TLS, routes, monitoring, limits, lame duck and JetStream.
// Secret values never appear here: they live in Secret-backed files pulled in with `include`.
import type { NatsCluster } from '../api/index.ts';
import { include, variable, writeNatsConf, type ConfBlock } from './conf-writer.ts';
import type { RenderContext } from './context.ts';
import { ENV, FILES, INCLUDES, PATHS, PORTS } from './layout.ts';
import { podFqdn } from './names.ts';
import { RenderError } from './render-error.ts';
import { quantityToBytes } from './units.ts';

const certFiles = (dir: string) => ({
  cert_file: `${dir}/${FILES.tlsCert}`,
  key_file: `${dir}/${FILES.tlsKey}`,
  ca_file: `${PATHS.trustDir}/${FILES.caBundle}`,
});

/**
 * What `pinned_certs` lists: the spec's pins and, when the spec asks, the keys of the client
 * certificates the operator issued (ADR 0010). nats-server compares them with the SHA-256 of the
 * client's SubjectPublicKeyInfo (auth.go:464), lower case.
 */
export function pinnedKeys(cluster: NatsCluster, issuedCertificatePins: string[] = []): string[] | undefined {
  const client = cluster.spec.tls.client;
  const declared = client.pinnedCerts?.map((pin) => pin.toLowerCase());
  if (!client.pinIssuedCertificates) return declared;
  const issued = issuedCertificatePins.map((pin) => pin.toLowerCase());
  const pins = [...new Set([...(declared ?? []), ...issued])].sort();
  // An empty list means no pinning at all (opts.go:5314): fail closed instead.
  if (!pins.length)
    throw new RenderError(
      `NatsCluster ${cluster.metadata.name}`,
      'spec.tls.client.pinIssuedCertificates: no issued client certificate is readable yet, and an empty pinned_certs would pin nothing',
    );
  return pins;
}

/** The client `tls {}` block: everything in spec.tls.client. */
export function clientTlsBlock(cluster: NatsCluster, issuedCertificatePins: string[] = []): ConfBlock {
  const client = cluster.spec.tls.client;
  const handshakeFirst = client.handshakeFirst ? (client.handshakeFirstFallback ?? true) : undefined;
  return {
    ...certFiles(PATHS.serverCertDir),
    verify: client.verifyAndMap ? undefined : client.verify,
    verify_and_map: client.verifyAndMap ? true : undefined,
    min_version: client.minVersion,
    cipher_suites: client.cipherSuites,
    curve_preferences: client.curvePreferences,
    timeout: client.timeout,
    connection_rate_limit: client.connectionRateLimit,
    pinned_certs: pinnedKeys(cluster, issuedCertificatePins),
    handshake_first: handshakeFirst,
  };
}

/**
 * Every peer's route URL, credentials included: nats-server authenticates a route it dials only
 * with the user and password in the URL, so these live in the routes Secret, never the ConfigMap.
 */
export function routeUrls(cluster: NatsCluster, context: RenderContext): string[] {
  const user = encodeURIComponent(cluster.spec.auth.routes.username);
  const password = encodeURIComponent(context.identities.routePassword);
  return Array.from(
    { length: cluster.spec.replicas },
    (_, ordinal) =>
      `nats-route://${user}:${password}@${podFqdn(cluster, ordinal, context.clusterDomain)}:${PORTS.cluster}`,
  );
}

/**
 * Whether the servers listen for routes. A lone server with JetStream must not: any `cluster {}`
 * block turns on clustered JetStream (server.go:1603-1606, jetstream.go:538), whose meta group waits
 * for a route that never comes (raft.go:2812-2838) and wants at least two peers (raft.go:421-425),
 * so /healthz says "JetStream is still recovering meta layer" for good (docs/nats-facts.md, ADR 0011).
 * Without JetStream a lone server keeps its cluster block, so it can scale up by reload as before.
 */
export function listensForRoutes(cluster: NatsCluster): boolean {
  return cluster.spec.replicas > 1 || !cluster.spec.jetstream.enabled;
}

/** The `cluster {}` block: routes to every peer by FQDN over mutually verified TLS. */
export function clusterBlock(cluster: NatsCluster): ConfBlock {
  const { client, routes } = cluster.spec.tls;
  return {
    name: cluster.metadata.name,
    host: variable(ENV.podIP),
    port: PORTS.cluster,
    // Peers dial the name their certificate carries, not the pod IP nats-server would gossip.
    advertise: variable(ENV.clusterAdvertise),
    // authorization {} and routes [] with their credentials, from the routes Secret.
    routes_and_authorization: include(INCLUDES.routes),
    tls: {
      ...certFiles(PATHS.routesCertDir),
      verify: true,
      // The route listener is never weaker than the client profile unless the spec says so.
      min_version: routes?.minVersion ?? client.minVersion,
      cipher_suites: routes?.cipherSuites ?? client.cipherSuites,
      curve_preferences: routes?.curvePreferences ?? client.curvePreferences,
      timeout: client.timeout,
    },
  };
}

function limitsBlock(cluster: NatsCluster): ConfBlock {
  const limits = cluster.spec.limits;
  const bytes = (quantity: string | undefined) =>
    quantity === undefined ? undefined : quantityToBytes(quantity);
  return {
    max_connections: limits.maxConnections,
    max_payload: bytes(limits.maxPayload),
    max_pending: bytes(limits.maxPending),
    max_control_line: bytes(limits.maxControlLine),
    ping_interval: limits.pingInterval,
    ping_max: limits.pingMax,
    write_deadline: limits.writeDeadline,
  };
}

function jetstreamBlock(cluster: NatsCluster): ConfBlock | undefined {
  const jetstream = cluster.spec.jetstream;
  if (!jetstream.enabled) return undefined;
  return {
    store_dir: PATHS.jetstreamStoreDir,
    max_file_store: quantityToBytes(jetstream.fileStorage.size),
    max_memory_store: jetstream.memoryStorage ? quantityToBytes(jetstream.memoryStorage.size) : undefined,
    domain: jetstream.domain,
    cipher: jetstream.encryption?.cipher,
    encryption_key: jetstream.encryption ? include(INCLUDES.jetstream) : undefined,
  };
}

/** The whole nats.conf text for the ConfigMap. */
export function renderNatsConf(cluster: NatsCluster, issuedCertificatePins: string[] = []): string {
  const monitorKey = cluster.spec.tls.monitor.https ? 'https_port' : 'http_port';
  const conf: ConfBlock = {
    server_name: variable(ENV.podName),
    host: variable(ENV.podIP),
    port: PORTS.client,
    client_advertise: variable(ENV.clientAdvertise),
    // spec.monitoring.enabled: false leaves no http(s) listener at all.
    [monitorKey]: cluster.spec.monitoring.enabled ? PORTS.monitor : undefined,
    pid_file: PATHS.pidFile,
    lame_duck_duration: cluster.spec.lameDuck.duration,
    lame_duck_grace_period: cluster.spec.lameDuck.gracePeriod,
    ...limitsBlock(cluster),
    tls: clientTlsBlock(cluster, issuedCertificatePins),
    // Standalone JetStream for a lone server: no route listener at all.
    cluster: listensForRoutes(cluster) ? clusterBlock(cluster) : undefined,
    jetstream: jetstreamBlock(cluster),
    auth: include(INCLUDES.auth),
  };
  return writeNatsConf(conf, [
    `nats.conf for NatsCluster ${cluster.metadata.namespace ?? 'default'}/${cluster.metadata.name}, written by nats-warden.`,
    'Secrets (route credentials, accounts, JetStream key) are included from Secret-backed files.',
  ]);
}
