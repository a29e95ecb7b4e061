// Invalid resources and the field each must be rejected on: one table for the offline validator
// (bad-input.test.ts) and the real API server (e2e/crds.e2e.ts), so both enforce the same contract.

const cluster = (spec: object) => ({
  apiVersion: 'natswarden.io/v1alpha1',
  kind: 'NatsCluster',
  metadata: { name: 'bad' },
  spec,
});
const account = (spec: object) => ({
  apiVersion: 'natswarden.io/v1alpha1',
  kind: 'NatsAccount',
  metadata: { name: 'bad' },
  spec: { clusterRef: { name: 'c' }, ...spec },
});
const user = (spec: object) => ({
  apiVersion: 'natswarden.io/v1alpha1',
  kind: 'NatsUser',
  metadata: { name: 'bad' },
  spec: { accountRef: { name: 'a' }, ...spec },
});

export interface BadCase {
  name: string;
  doc: { kind: string; metadata: { name: string }; spec: object };
  /** The field path the rejection must name. */
  field: string;
}

export const BAD_CASES: BadCase[] = [
  { name: 'replicas is not a number', doc: cluster({ replicas: 'three' }), field: 'spec.replicas' },
  { name: 'replicas below one', doc: cluster({ replicas: 0 }), field: 'spec.replicas' },
  { name: 'replicas above fifteen', doc: cluster({ replicas: 16 }), field: 'spec.replicas' },
  {
    name: 'an unknown TLS version',
    doc: cluster({ tls: { client: { minVersion: '1.1' } } }),
    field: 'spec.tls.client.minVersion',
  },
  {
    name: 'an unknown cipher suite',
    doc: cluster({ tls: { client: { cipherSuites: ['TLS_RSA_WITH_RC4_128_SHA'] } } }),
    field: 'spec.tls.client.cipherSuites[0]',
  },
  {
    name: 'an unknown curve',
    doc: cluster({ tls: { client: { curvePreferences: ['P-256'] } } }),
    field: 'spec.tls.client.curvePreferences[0]',
  },
  {
    name: 'a handshake timeout that is not a duration',
    doc: cluster({ tls: { client: { timeout: '2 seconds' } } }),
    field: 'spec.tls.client.timeout',
  },
  {
    name: 'a certificate duration that is not a duration',
    doc: cluster({ tls: { duration: '90d' } }),
    field: 'spec.tls.duration',
  },
  {
    name: 'a pinned certificate that is not a SHA-256',
    doc: cluster({ tls: { client: { pinnedCerts: ['abc'] } } }),
    field: 'spec.tls.client.pinnedCerts[0]',
  },
  {
    name: 'verifyAndMap without verify',
    doc: cluster({ tls: { client: { verify: false, verifyAndMap: true } } }),
    field: 'spec.tls.client.verifyAndMap',
  },
  {
    // nats-server asks no certificate without verify, so every pin check would fail.
    name: 'pinIssuedCertificates without verify',
    doc: cluster({ tls: { client: { verify: false, pinIssuedCertificates: true } } }),
    field: 'spec.tls.client.pinIssuedCertificates',
  },
  {
    name: 'monitoringFromNamespaces with the monitoring port off',
    doc: cluster({
      monitoring: { enabled: false },
      networkPolicy: { monitoringFromNamespaces: ['prometheus'] },
    }),
    field: 'spec.networkPolicy.monitoringFromNamespaces',
  },
  {
    name: 'a handshake-first fallback without handshakeFirst',
    doc: cluster({ tls: { client: { handshakeFirstFallback: '300ms' } } }),
    field: 'spec.tls.client.handshakeFirstFallback',
  },
  {
    name: 'an RSA key of 1024 bits',
    doc: cluster({ tls: { privateKey: { algorithm: 'RSA', size: 1024 } } }),
    field: 'spec.tls.privateKey.size',
  },
  {
    name: 'an unknown key algorithm',
    doc: cluster({ tls: { privateKey: { algorithm: 'DSA' } } }),
    field: 'spec.tls.privateKey.algorithm',
  },
  {
    name: 'an issuer of an unknown kind',
    doc: cluster({ tls: { issuerRef: { name: 'ca', kind: 'Vault' } } }),
    field: 'spec.tls.issuerRef.kind',
  },
  {
    name: 'an unknown rotation strategy',
    doc: cluster({ tls: { rotation: { strategy: 'Recreate' } } }),
    field: 'spec.tls.rotation.strategy',
  },
  { name: 'an unknown auth mode', doc: cluster({ auth: { mode: 'Token' } }), field: 'spec.auth.mode' },
  {
    name: 'JWT resolver settings in Config mode',
    doc: cluster({ auth: { mode: 'Config', jwt: { resolver: { allowDelete: true } } } }),
    field: 'spec.auth.jwt',
  },
  {
    name: 'a system account in JWT mode',
    doc: cluster({ auth: { mode: 'JWT', systemAccount: 'SYS' } }),
    field: 'spec.auth.systemAccount',
  },
  {
    name: 'system account users with no system account (JWT mode makes its own, which no NatsUser joins)',
    doc: cluster({ auth: { mode: 'JWT', systemAccountUsers: ['monitor'] } }),
    field: 'spec.auth.systemAccountUsers',
  },
  {
    name: 'JetStream with two replicas',
    doc: cluster({ replicas: 2, jetstream: { enabled: true } }),
    field: 'spec.replicas',
  },
  {
    name: 'a JetStream size that is not a quantity',
    doc: cluster({ jetstream: { enabled: true, fileStorage: { size: 'ten gigs' } } }),
    field: 'spec.jetstream.fileStorage.size',
  },
  {
    name: 'an unknown JetStream cipher',
    doc: cluster({ jetstream: { enabled: true, encryption: { cipher: 'des' } } }),
    field: 'spec.jetstream.encryption.cipher',
  },
  {
    name: 'a lame-duck duration under 30 s',
    doc: cluster({ lameDuck: { duration: '10s' } }),
    field: 'spec.lameDuck.duration',
  },
  {
    name: 'a max payload that is not a quantity',
    doc: cluster({ limits: { maxPayload: 'big' } }),
    field: 'spec.limits.maxPayload',
  },
  {
    name: 'a max payload above max pending (nats-server refuses to start)',
    doc: cluster({ limits: { maxPayload: '8Mi', maxPending: '4Mi' } }),
    field: 'spec.limits.maxPayload',
  },
  {
    name: 'a max payload above the default max pending of 64Mi',
    doc: cluster({ limits: { maxPayload: '65Mi' } }),
    field: 'spec.limits.maxPayload',
  },
  {
    name: 'an unknown service type',
    doc: cluster({ service: { type: 'ExternalName' } }),
    field: 'spec.service.type',
  },
  {
    name: 'an unknown field',
    doc: cluster({ tls: { client: { verifyy: true } } }),
    field: 'spec.tls.client.verifyy',
  },
  {
    name: 'an account without a cluster',
    doc: { apiVersion: 'natswarden.io/v1alpha1', kind: 'NatsAccount', metadata: { name: 'bad' }, spec: {} },
    field: 'spec.clusterRef',
  },
  {
    name: 'an export with an empty subject token',
    doc: account({ exports: [{ stream: 'orders..created' }] }),
    field: 'spec.exports[0].stream',
  },
  {
    name: "a '>' that is not the last token",
    doc: account({ exports: [{ stream: 'orders.>.x' }] }),
    field: 'spec.exports[0].stream',
  },
  {
    name: 'an export naming both stream and service',
    doc: account({ exports: [{ stream: 'a', service: 'b' }] }),
    field: 'spec.exports[0]',
  },
  {
    name: 'a response type on a stream export',
    doc: account({ exports: [{ stream: 'a', responseType: 'Stream' }] }),
    field: 'spec.exports[0].responseType',
  },
  {
    name: 'a prefix on a service import',
    doc: account({ imports: [{ service: { account: 'o', subject: 's' }, prefix: 'p' }] }),
    field: 'spec.imports[0].prefix',
  },
  {
    name: 'an import naming neither stream nor service',
    doc: account({ imports: [{ prefix: 'p' }] }),
    field: 'spec.imports[0]',
  },
  {
    name: 'a subject with a space in a permission',
    doc: user({ permissions: { publish: { allow: ['orders created'] } } }),
    field: 'spec.permissions.publish.allow[0]',
  },
  { name: 'an unknown user auth type', doc: user({ authType: 'Kerberos' }), field: 'spec.authType' },
  {
    name: 'a username on an nkey user',
    doc: user({ authType: 'NKey', username: 'bob' }),
    field: 'spec.username',
  },
  {
    name: 'certificate settings on a password user',
    doc: user({ authType: 'Password', certificate: { commonName: 'bob' } }),
    field: 'spec.certificate',
  },
  {
    name: 'JWT limits on a Config-mode user',
    doc: user({ authType: 'NKey', limits: { maxSubscriptions: 10 } }),
    field: 'spec.limits',
  },
  {
    name: 'a malformed email on a certificate user',
    doc: user({ authType: 'Certificate', certificate: { emailAddresses: ['not-an-email'] } }),
    field: 'spec.certificate.emailAddresses[0]',
  },
  // Strings that reach nats.conf or a certificate (issue 10): no control characters, no wildcard
  // certificate for a whole top-level domain, only real addresses.
  {
    name: 'a subject with a newline (would forge a line of nats.conf)',
    doc: user({ authType: 'NKey', permissions: { publish: { allow: ['orders.>\n}\nauthorization {'] } } }),
    field: 'spec.permissions.publish.allow[0]',
  },
  {
    name: 'a subject with a control character',
    doc: account({ exports: [{ stream: 'orders.\u0007bell' }] }),
    field: 'spec.exports[0].stream',
  },
  {
    name: 'a certificate common name with a control character',
    doc: user({ authType: 'Certificate', certificate: { commonName: 'admin\u0000' } }),
    field: 'spec.certificate.commonName',
  },
  {
    name: 'an e-mail SAN with a carriage return',
    doc: user({ authType: 'Certificate', certificate: { emailAddresses: ['a@b.example\r'] } }),
    field: 'spec.certificate.emailAddresses[0]',
  },
  {
    name: 'a certificate for every name (*)',
    doc: cluster({ tls: { client: { extraDNSNames: ['*'] } } }),
    field: 'spec.tls.client.extraDNSNames[0]',
  },
  {
    name: 'a certificate for a whole top-level domain (*.com)',
    doc: cluster({ tls: { client: { extraDNSNames: ['*.com'] } } }),
    field: 'spec.tls.client.extraDNSNames[0]',
  },
  {
    name: 'a route certificate for a whole top-level domain',
    doc: cluster({ tls: { routes: { extraDNSNames: ['*.io'] } } }),
    field: 'spec.tls.routes.extraDNSNames[0]',
  },
  {
    name: 'a DNS name that is not one',
    doc: cluster({ tls: { client: { extraDNSNames: ['nats server.example.com'] } } }),
    field: 'spec.tls.client.extraDNSNames[0]',
  },
  {
    name: 'an IP SAN that is not an address',
    doc: cluster({ tls: { client: { extraIPAddresses: ['999.1.1.1'] } } }),
    field: 'spec.tls.client.extraIPAddresses[0]',
  },
  // No silent drops: fields the operator cannot honour yet are refused, not ignored.
  {
    name: 'a password from a Secret (not supported yet)',
    doc: user({ authType: 'Password', passwordSecretRef: { name: 'mine' } }),
    field: 'spec.passwordSecretRef',
  },
  {
    name: 'an account JWT expiry under an hour (re-signed at half-life: pushes every few minutes)',
    doc: account({ jwtExpiry: '30m' }),
    field: 'spec.jwtExpiry',
  },
  // Numbers within what nats-server stores.
  {
    name: 'a connection limit beyond int32',
    doc: cluster({ limits: { maxConnections: 2147483648 } }),
    field: 'spec.limits.maxConnections',
  },
  {
    name: 'a subscription limit beyond int32',
    doc: account({ limits: { maxSubscriptions: 4294967296 } }),
    field: 'spec.limits.maxSubscriptions',
  },
];

/** Valid documents that must pass, so the table is not rejecting everything. */
export const GOOD_CASES = [
  cluster({}),
  cluster({ replicas: 1, jetstream: { enabled: true } }),
  cluster({
    tls: {
      client: {
        verify: true,
        verifyAndMap: true,
        minVersion: '1.3',
        curvePreferences: ['X25519', 'CurveP256'],
        timeout: '10s',
      },
    },
  }),
  cluster({ auth: { mode: 'JWT', jwt: { resolver: { allowDelete: true } } } }),
  cluster({
    tls: {
      client: {
        extraDNSNames: ['nats', 'nats.example.com', '*.nats.example.com'],
        extraIPAddresses: ['10.0.0.1', '::1', 'fd00::10'],
      },
      routes: { extraDNSNames: ['*.routes.example.com'], minVersion: '1.3' },
    },
  }),
  account({
    exports: [{ service: 'orders.lookup', responseType: 'Singleton' }],
    imports: [{ stream: { account: 'o', subject: 'orders.>' }, prefix: 'from' }],
  }),
  user({
    authType: 'Password',
    username: 'bob',
    permissions: { subscribe: { allow: ['_INBOX.>', 'orders.*'] } },
  }),
];
