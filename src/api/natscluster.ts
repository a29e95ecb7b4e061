// NatsCluster: the servers. Field names follow ARCHITECTURE.md's sketch; defaults are the ones a
// production user would pick. The CRD in crds/ is generated from this schema (npm run gen:crds).
import { Type, type Static } from '@sinclair/typebox';
import {
  Count,
  Condition,
  DnsName,
  Duration,
  IpAddress,
  ObjectMeta,
  PassThrough,
  Quantity,
  StringEnum,
  withRules,
} from './common.ts';

/**
 * Cipher suites nats-server accepts that Go deems secure. The TLS 1.3 names are accepted for
 * profiles that list them, but Go always negotiates its own TLS 1.3 suites: the list restricts TLS 1.2.
 */
export const CIPHER_SUITES = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA',
  'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
  'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
];
/** Curve names nats-server 2.15 accepts in `curve_preferences`. */
export const CURVES = [
  'X25519MLKEM768',
  'SecP256r1MLKEM768',
  'SecP384r1MLKEM1024',
  'X25519',
  'CurveP256',
  'CurveP384',
  'CurveP521',
];

const IssuerRef = Type.Object({
  name: Type.String({ minLength: 1 }),
  kind: StringEnum(['Issuer', 'ClusterIssuer'], { default: 'Issuer' }),
  group: Type.String({ default: 'cert-manager.io' }),
});

const PrivateKey = withRules(
  Type.Object(
    {
      algorithm: StringEnum(['ECDSA', 'RSA', 'Ed25519'], { default: 'ECDSA' }),
      size: Type.Optional(Type.Integer({ description: 'ECDSA: 256, 384 or 521; RSA: 2048, 3072 or 4096.' })),
    },
    { default: {} },
  ),
  [
    {
      rule: "!has(self.size) || !has(self.algorithm) || (self.algorithm == 'ECDSA' ? self.size in [256, 384, 521] : self.algorithm == 'RSA' ? self.size in [2048, 3072, 4096] : false)",
      message: 'size must be 256, 384 or 521 for ECDSA, 2048, 3072 or 4096 for RSA, and unset for Ed25519',
      fieldPath: '.size',
    },
  ],
);

const ClientTLS = withRules(
  Type.Object(
    {
      verify: Type.Boolean({ default: true, description: 'Require and verify a client certificate (mTLS).' }),
      verifyAndMap: Type.Boolean({
        default: false,
        description: 'Verify and map the certificate to a NatsUser of type Certificate.',
      }),
      handshakeFirst: Type.Boolean({
        default: false,
        description: 'TLS before the INFO line (implicit TLS).',
      }),
      handshakeFirstFallback: Type.Optional(
        Duration({
          description: 'With handshakeFirst, also accept clients that wait for INFO after this delay.',
        }),
      ),
      minVersion: StringEnum(['1.2', '1.3'], { default: '1.2' }),
      cipherSuites: Type.Optional(Type.Array(StringEnum(CIPHER_SUITES), { minItems: 1, maxItems: 16 })),
      curvePreferences: Type.Optional(Type.Array(StringEnum(CURVES), { minItems: 1, maxItems: 8 })),
      timeout: Duration({ default: '2s', description: 'TLS handshake timeout.' }),
      connectionRateLimit: Type.Optional(
        Count({ minimum: 1, description: 'New TLS connections per second.' }),
      ),
      pinnedCerts: Type.Optional(
        Type.Array(
          Type.String({
            pattern: '^[A-Fa-f0-9]{64}$',
            description: 'hex SHA-256 of the DER SubjectPublicKeyInfo',
          }),
          { maxItems: 64 },
        ),
      ),
      pinIssuedCertificates: Type.Boolean({
        default: false,
        description:
          'Also pin every client certificate the operator issues for this cluster (NatsUser certificates and its own), following their renewals: their keys are kept across renewals and the pins reloaded when a key changes.',
      }),
      extraDNSNames: Type.Optional(Type.Array(DnsName(), { maxItems: 32 })),
      extraIPAddresses: Type.Optional(Type.Array(IpAddress(), { maxItems: 32 })),
    },
    { default: {} },
  ),
  [
    {
      rule: '!has(self.verifyAndMap) || !self.verifyAndMap || !has(self.verify) || self.verify',
      message: 'verifyAndMap needs verify: true',
      fieldPath: '.verifyAndMap',
    },
    {
      // Pinning needs the client's certificate: without verify nats-server asks for none and refuses all.
      rule: '!has(self.pinIssuedCertificates) || !self.pinIssuedCertificates || !has(self.verify) || self.verify',
      message: 'pinIssuedCertificates needs verify: true',
      fieldPath: '.pinIssuedCertificates',
    },
    {
      rule: '!has(self.handshakeFirstFallback) || (has(self.handshakeFirst) && self.handshakeFirst)',
      message: 'handshakeFirstFallback needs handshakeFirst: true',
      fieldPath: '.handshakeFirstFallback',
    },
  ],
);

const TLS = Type.Object(
  {
    issuerRef: Type.Optional(IssuerRef),
    duration: Duration({ default: '2160h' }),
    renewBefore: Duration({ default: '360h' }),
    privateKey: PrivateKey,
    client: ClientTLS,
    routes: Type.Optional(
      Type.Object({
        extraDNSNames: Type.Optional(Type.Array(DnsName(), { maxItems: 32 })),
        // Unset, the route listener follows the client profile: a 1.3-only cluster is 1.3-only everywhere.
        minVersion: Type.Optional(
          StringEnum(['1.2', '1.3'], {
            description: 'Route TLS minimum version; default: tls.client.minVersion.',
          }),
        ),
        cipherSuites: Type.Optional(
          Type.Array(StringEnum(CIPHER_SUITES), {
            minItems: 1,
            maxItems: 16,
            description: 'Route TLS cipher suites; default: tls.client.cipherSuites.',
          }),
        ),
        curvePreferences: Type.Optional(
          Type.Array(StringEnum(CURVES), {
            minItems: 1,
            maxItems: 8,
            description: 'Route TLS curves; default: tls.client.curvePreferences.',
          }),
        ),
      }),
    ),
    monitor: Type.Object({ https: Type.Boolean({ default: true }) }, { default: {} }),
    rotation: Type.Object(
      { strategy: StringEnum(['RollingRestart', 'Reload'], { default: 'RollingRestart' }) },
      { default: {} },
    ),
  },
  { default: {} },
);

const JwtResolver = Type.Object(
  {
    allowDelete: Type.Boolean({ default: false }),
    interval: Duration({
      default: '2m',
      description: 'How often servers sync account JWTs with each other.',
    }),
    timeout: Duration({ default: '1.9s', description: 'How long a lookup waits for a peer.' }),
    limit: Count({ minimum: 1, default: 1000, description: 'Most account JWTs stored.' }),
  },
  { default: {} },
);

const Auth = withRules(
  Type.Object(
    {
      mode: withRules(StringEnum(['Config', 'JWT'], { default: 'Config' }), [
        { rule: 'self == oldSelf', message: 'auth.mode is immutable: create a new NatsCluster to change it' },
      ]),
      systemAccount: Type.Optional(
        Type.String({
          minLength: 1,
          description:
            'Config mode: the NatsAccount used as system account. JWT mode: the operator makes its own.',
        }),
      ),
      systemAccountUsers: Type.Optional(
        Type.Array(
          Type.String({ minLength: 1, maxLength: 253, pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$' }),
          {
            maxItems: 64,
            description:
              'Config mode: the NatsUsers (by name) allowed to join the system account, which sees every server event. Any other NatsUser naming it is left out (Degraded).',
          },
        ),
      ),
      routes: Type.Object(
        { username: Type.String({ default: 'route', pattern: '^[A-Za-z0-9_-]+$' }) },
        { default: {} },
      ),
      jwt: Type.Optional(Type.Object({ resolver: JwtResolver })),
      allowUnauthenticatedClients: Type.Boolean({
        default: false,
        description:
          'Config mode: let clients connect with no credentials when no NatsUser can log in and tls.client.verify is false. Off: such a cluster is refused (Degraded), never served open.',
      }),
    },
    { default: {} },
  ),
  [
    {
      rule: "!has(self.jwt) || (has(self.mode) && self.mode == 'JWT')",
      message: 'auth.jwt is only allowed with mode: JWT',
      fieldPath: '.jwt',
    },
    {
      rule: "!has(self.systemAccount) || !has(self.mode) || self.mode == 'Config'",
      message: 'auth.systemAccount is only allowed with mode: Config (JWT mode makes its own system account)',
      fieldPath: '.systemAccount',
    },
    {
      // Without a designated system account the list would have nothing to admit users to: refused, not ignored.
      rule: '!has(self.systemAccountUsers) || has(self.systemAccount)',
      message: 'auth.systemAccountUsers needs auth.systemAccount (Config mode)',
      fieldPath: '.systemAccountUsers',
    },
  ],
);

const JetStream = Type.Object(
  {
    enabled: Type.Boolean({ default: false }),
    domain: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]+$' })),
    fileStorage: Type.Object(
      { size: Quantity({ default: '10Gi' }), storageClassName: Type.Optional(Type.String()) },
      { default: {} },
    ),
    memoryStorage: Type.Optional(Type.Object({ size: Quantity({ default: '256Mi' }) })),
    encryption: Type.Optional(Type.Object({ cipher: StringEnum(['aes', 'chachapoly'], { default: 'aes' }) })),
  },
  { default: {} },
);

const Limits = withRules(
  Type.Object(
    {
      maxConnections: Type.Optional(Count({ minimum: 1 })),
      maxPayload: Type.Optional(Quantity({ description: 'At most 64Mi; nats-server warns above 8Mi.' })),
      maxPending: Type.Optional(Quantity()),
      maxControlLine: Type.Optional(Quantity()),
      pingInterval: Type.Optional(Duration()),
      pingMax: Type.Optional(Count({ minimum: 1 })),
      writeDeadline: Type.Optional(Duration()),
    },
    { default: {} },
  ),
  [
    {
      // nats-server refuses to start when max_payload exceeds max_pending (64MB when unset).
      rule: "!has(self.maxPayload) || quantity(self.maxPayload).compareTo(quantity(has(self.maxPending) ? self.maxPending : '64Mi')) <= 0",
      message: 'maxPayload must not exceed maxPending (64Mi when unset): nats-server refuses to start',
      fieldPath: '.maxPayload',
    },
  ],
);

const LameDuck = Type.Object(
  {
    duration: Duration({ default: '30s', description: 'nats-server rejects less than 30s.' }),
    gracePeriod: Duration({ default: '10s' }),
  },
  { default: {} },
);

const PodTemplate = Type.Object(
  {
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
    annotations: Type.Optional(Type.Record(Type.String(), Type.String())),
    resources: Type.Optional(PassThrough('core/v1 ResourceRequirements of the nats container')),
    nodeSelector: Type.Optional(Type.Record(Type.String(), Type.String())),
    tolerations: Type.Optional(Type.Array(PassThrough('core/v1 Toleration'))),
    affinity: Type.Optional(PassThrough('core/v1 Affinity; replaces the default anti-affinity')),
    topologySpreadConstraints: Type.Optional(Type.Array(PassThrough('core/v1 TopologySpreadConstraint'))),
    priorityClassName: Type.Optional(Type.String()),
    imagePullSecrets: Type.Optional(Type.Array(Type.Object({ name: Type.String() }))),
  },
  { default: {} },
);

export const NatsClusterSpec = withRules(
  Type.Object({
    replicas: Type.Integer({ minimum: 1, maximum: 15, default: 3 }),
    image: Type.Optional(Type.String({ minLength: 1 })),
    tls: TLS,
    auth: Auth,
    jetstream: JetStream,
    limits: Limits,
    lameDuck: LameDuck,
    service: Type.Object(
      {
        type: StringEnum(['ClusterIP', 'NodePort', 'LoadBalancer'], { default: 'ClusterIP' }),
        annotations: Type.Optional(Type.Record(Type.String(), Type.String())),
      },
      { default: {} },
    ),
    podTemplate: PodTemplate,
    monitoring: Type.Object(
      {
        enabled: Type.Boolean({
          default: true,
          description:
            'Serve the monitoring endpoints (/healthz, /varz, /connz, ...) on port 8222. Off: no monitoring listener, Service port or NetworkPolicy rule; probes check the client port over TCP, the health-gated roll gates on pod readiness, and Config-mode accounts are Ready once the cluster has applied them.',
        }),
      },
      { default: {} },
    ),
    networkPolicy: Type.Object(
      {
        enabled: Type.Boolean({
          default: true,
          description:
            'Render a NetworkPolicy: clients from anywhere, routes only from the servers, monitoring (which asks no client certificate) only from the operator and monitoringFromNamespaces.',
        }),
        monitoringFromNamespaces: Type.Optional(
          Type.Array(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$', maxLength: 63 }), {
            maxItems: 32,
            description: 'Namespaces whose pods may read the monitoring port (e.g. Prometheus).',
          }),
        ),
      },
      { default: {} },
    ),
  }),
  [
    {
      rule: '!self.jetstream.enabled || self.replicas != 2',
      message: 'JetStream needs a quorum: use 1 or at least 3 replicas',
      fieldPath: '.replicas',
    },
    {
      // One replica runs standalone JetStream, several clustered; a clustered restart deletes the
      // standalone streams as orphans (ADR 0011, test/servers/standalone-to-clustered.test.ts).
      rule: '(self.replicas == 1) == (oldSelf.replicas == 1) || (!self.jetstream.enabled && !oldSelf.jetstream.enabled)',
      message:
        'a NatsCluster with JetStream cannot scale between 1 replica (standalone JetStream) and several (clustered JetStream): nats-server would delete the standalone streams; create a new NatsCluster and move the streams to it',
      fieldPath: '.replicas',
    },
    {
      // With no monitoring port there is nothing to admit them to: refused, not ignored.
      rule: 'self.monitoring.enabled || !has(self.networkPolicy.monitoringFromNamespaces)',
      message: 'networkPolicy.monitoringFromNamespaces needs monitoring.enabled: true',
      fieldPath: '.networkPolicy.monitoringFromNamespaces',
    },
    {
      rule: "duration(self.lameDuck.duration) >= duration('30s')",
      message: 'lameDuck.duration must be at least 30s (nats-server rejects less)',
      fieldPath: '.lameDuck.duration',
    },
  ],
);

export const CertificateStatus = Type.Object({
  name: Type.String(),
  secretName: Type.String(),
  notAfter: Type.Optional(Type.String()),
  renewalTime: Type.Optional(Type.String()),
  revision: Type.Optional(Type.Integer()),
});

export const NatsClusterStatus = Type.Object({
  observedGeneration: Type.Optional(Type.Integer()),
  conditions: Type.Optional(Type.Array(Condition)),
  replicas: Type.Optional(Type.Integer()),
  readyReplicas: Type.Optional(Type.Integer()),
  certificates: Type.Optional(Type.Array(CertificateStatus)),
});

export const NatsCluster = Type.Object({
  apiVersion: Type.Literal('natswarden.io/v1alpha1'),
  kind: Type.Literal('NatsCluster'),
  metadata: ObjectMeta,
  spec: NatsClusterSpec,
  status: Type.Optional(NatsClusterStatus),
});

export type NatsCluster = Static<typeof NatsCluster>;
export type NatsClusterSpec = Static<typeof NatsClusterSpec>;
