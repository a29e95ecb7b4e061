// Issue 10's promise as one table: every NatsAccount, NatsUser (and a few NatsCluster) fields a
// tenant could fill with hostile input, and what must happen to each resource — refused at admission
// naming the field, or left out and Degraded naming the field. table.test.ts proves it offline (the
// schema check and membersOf), e2e/hostile.e2e.ts on the real API server with the operator running.
// Entries target the tenants of examples/config-accounts.yaml (cluster `tenants`, accounts orders,
// billing and system, users order-service, billing-app and monitor); the few that need a
// verifyAndMap or JWT cluster target examples/mtls-verify-and-map.yaml or examples/jwt-operator.yaml.
import type { Exclusion } from '../../src/render/index.ts';

export type Target = 'tenants' | 'mapped' | 'jwt';
export type Outcome = { admission: string } | { degraded: { reason: Exclusion['reason']; field: string } };
export interface HostileDoc {
  apiVersion: string;
  kind: 'NatsCluster' | 'NatsAccount' | 'NatsUser';
  metadata: { name: string; namespace?: string };
  spec: unknown;
}
export interface HostileEntry {
  name: string;
  /** The class of attack, for the counts in the report. */
  family: string;
  /** The example cluster a degraded entry is rendered beside (admission entries never get that far). */
  target: Target;
  doc: HostileDoc;
  outcome: Outcome;
}

const API_VERSION = 'natswarden.io/v1alpha1';
const CLUSTER_OF: Record<Target, string> = { tenants: 'tenants', mapped: 'mapped', jwt: 'jwt' };
const ACCOUNT_OF: Record<Target, string> = { tenants: 'billing', mapped: 'payments', jwt: 'telemetry' };

/** Entries are named after their index unless the name itself is the attack. */
const PENDING = '';
const account = (spec: object, target: Target = 'tenants', name = PENDING): HostileDoc => ({
  apiVersion: API_VERSION,
  kind: 'NatsAccount',
  metadata: { name },
  spec: { clusterRef: { name: CLUSTER_OF[target] }, ...spec },
});
const user = (spec: object, target: Target = 'tenants', name = PENDING): HostileDoc => ({
  apiVersion: API_VERSION,
  kind: 'NatsUser',
  metadata: { name },
  spec: { accountRef: { name: ACCOUNT_OF[target] }, ...spec },
});
const cluster = (spec: object): HostileDoc => ({
  apiVersion: API_VERSION,
  kind: 'NatsCluster',
  metadata: { name: PENDING },
  spec,
});
const password = (spec: object = {}) => user({ authType: 'Password', ...spec });
const nkey = (spec: object = {}) => user({ authType: 'NKey', ...spec });
const certificateUser = (certificate: object, target: Target = 'tenants') =>
  user({ authType: 'Certificate', certificate }, target);

type Raw = Omit<HostileEntry, 'target'> & { target?: Target };
const admission = (family: string, name: string, doc: HostileDoc, field: string): Raw => ({
  family,
  name,
  doc,
  outcome: { admission: field },
});
const degraded = (
  family: string,
  name: string,
  doc: HostileDoc,
  reason: Exclusion['reason'],
  field: string,
  target: Target = 'tenants',
): Raw => ({ family, name, doc, target, outcome: { degraded: { reason, field } } });

// --- Control characters and spaces in every string that reaches nats.conf or a certificate -----

const CONTROL = [
  ['NUL', '\u0000'],
  ['TAB', '\t'],
  ['LF', '\n'],
  ['CR', '\r'],
  ['ESC', '\u001b'],
  ['DEL', '\u007f'],
] as const;

/** A string field, how a document carries a value in it, and whether a space is legitimate there. */
const STRING_FIELDS: { label: string; field: string; doc: (v: string) => HostileDoc; spaceOk?: boolean }[] = [
  {
    label: 'a user publish allow subject',
    field: 'spec.permissions.publish.allow[0]',
    doc: (v) => nkey({ permissions: { publish: { allow: [`billing.${v}x`] } } }),
  },
  {
    label: 'the second user publish deny subject',
    field: 'spec.permissions.publish.deny[1]',
    doc: (v) => nkey({ permissions: { publish: { deny: ['billing.admin', `orders${v}`] } } }),
  },
  {
    label: 'a user subscribe allow subject',
    field: 'spec.permissions.subscribe.allow[0]',
    doc: (v) => nkey({ permissions: { subscribe: { allow: [`${v}_INBOX.>`] } } }),
  },
  {
    label: "an account's default subscribe deny subject",
    field: 'spec.defaultPermissions.subscribe.deny[0]',
    doc: (v) => account({ defaultPermissions: { subscribe: { deny: [`secret.${v}`] } } }),
  },
  {
    label: 'a stream export',
    field: 'spec.exports[0].stream',
    doc: (v) => account({ exports: [{ stream: `events.${v}.>` }] }),
  },
  {
    label: 'the second (service) export',
    field: 'spec.exports[1].service',
    doc: (v) => account({ exports: [{ stream: 'ok.>' }, { service: `lookup${v}` }] }),
  },
  {
    label: "a stream import's subject",
    field: 'spec.imports[0].stream.subject',
    doc: (v) => account({ imports: [{ stream: { account: 'orders', subject: `orders.events.${v}` } }] }),
  },
  {
    label: "a service import's subject",
    field: 'spec.imports[0].service.subject',
    doc: (v) => account({ imports: [{ service: { account: 'orders', subject: `orders.lookup${v}` } }] }),
  },
  {
    label: "a service import's local subject (to)",
    field: 'spec.imports[0].to',
    doc: (v) =>
      account({ imports: [{ service: { account: 'orders', subject: 'orders.lookup' }, to: `mine${v}` }] }),
  },
  {
    label: "a stream import's prefix",
    field: 'spec.imports[0].prefix',
    doc: (v) =>
      account({
        imports: [{ stream: { account: 'orders', subject: 'orders.events.>' }, prefix: `from${v}orders` }],
      }),
  },
  {
    label: "a stream import's account",
    field: 'spec.imports[0].stream.account',
    doc: (v) => account({ imports: [{ stream: { account: `orders${v}`, subject: 'orders.events.>' } }] }),
  },
  {
    label: 'a certificate common name',
    field: 'spec.certificate.commonName',
    doc: (v) => certificateUser({ commonName: `billing${v}admin` }),
    spaceOk: true,
  },
  {
    label: 'a certificate e-mail SAN',
    field: 'spec.certificate.emailAddresses[0]',
    doc: (v) => certificateUser({ emailAddresses: [`app${v}@billing.example.com`] }),
  },
  {
    label: 'a password username',
    field: 'spec.username',
    doc: (v) => password({ username: `billing${v}2` }),
  },
  {
    label: "an account's NATS name",
    field: 'spec.accountName',
    doc: (v) => account({ accountName: `ledger${v}` }),
  },
];

const controlCharacters: Raw[] = STRING_FIELDS.flatMap((f) => [
  ...CONTROL.map(([char, value]) =>
    admission('control characters', `${char} in ${f.label}`, f.doc(value), f.field),
  ),
  ...(f.spaceOk ? [] : [admission('spaces', `a space in ${f.label}`, f.doc(' '), f.field)]),
]);

/**
 * Unicode spaces: JavaScript's \s matches them and Go's (the API server's) does not, so a pattern
 * written with \s alone refuses them offline and admits them in the cluster.
 */
const UNICODE_SPACES = [
  ['a no-break space (U+00A0)', '\u00a0'],
  ['a line separator (U+2028)', '\u2028'],
  ['an ideographic space (U+3000)', '\u3000'],
  ['a byte order mark (U+FEFF)', '\ufeff'],
] as const;
const unicodeSpaces: Raw[] = STRING_FIELDS.filter((f) =>
  [
    'spec.permissions.publish.allow[0]',
    'spec.exports[0].stream',
    'spec.imports[0].prefix',
    'spec.certificate.emailAddresses[0]',
  ].includes(f.field),
).flatMap((f) =>
  UNICODE_SPACES.map(([char, value]) =>
    admission('unicode spaces', `${char} in ${f.label}`, f.doc(value), f.field),
  ),
);

// --- Wildcards in the wrong place, malformed names ----------------------------------------------

const wildcards: Raw[] = [
  admission(
    'wildcards',
    "'>' before the last token of a permission",
    nkey({ permissions: { subscribe: { allow: ['orders.>.created'] } } }),
    'spec.permissions.subscribe.allow[0]',
  ),
  admission(
    'wildcards',
    "'*' inside a token of a permission",
    nkey({ permissions: { publish: { allow: ['orders.crea*'] } } }),
    'spec.permissions.publish.allow[0]',
  ),
  admission(
    'wildcards',
    "'>>' as a token",
    account({ exports: [{ stream: 'events.>>' }] }),
    'spec.exports[0].stream',
  ),
  admission(
    'wildcards',
    'a leading dot',
    account({ exports: [{ service: '.lookup' }] }),
    'spec.exports[0].service',
  ),
  admission(
    'wildcards',
    'a trailing dot',
    nkey({ permissions: { publish: { deny: ['billing.'] } } }),
    'spec.permissions.publish.deny[0]',
  ),
  admission(
    'wildcards',
    "a '*' in a stream import's prefix",
    account({ imports: [{ stream: { account: 'orders', subject: 'orders.events.>' }, prefix: 'from.*' }] }),
    'spec.imports[0].prefix',
  ),
  admission(
    'wildcards',
    "a '>' in a stream import's prefix",
    account({ imports: [{ stream: { account: 'orders', subject: 'orders.events.>' }, prefix: '>' }] }),
    'spec.imports[0].prefix',
  ),
  admission(
    'wildcards',
    "a '>' in the middle of a service import's local subject",
    account({ imports: [{ service: { account: 'orders', subject: 'orders.lookup' }, to: 'a.>.b' }] }),
    'spec.imports[0].to',
  ),
  admission('wildcards', "a '*' in a username", password({ username: 'bill*' }), 'spec.username'),
  admission('wildcards', "a '*' in an account name", account({ accountName: 'or*ders' }), 'spec.accountName'),
  admission(
    'wildcards',
    'an empty subject',
    account({ exports: [{ stream: '' }] }),
    'spec.exports[0].stream',
  ),
  admission('names', 'an empty username', password({ username: '' }), 'spec.username'),
  admission('names', 'an empty account name', account({ accountName: '' }), 'spec.accountName'),
  admission(
    'names',
    'an empty common name',
    certificateUser({ commonName: '' }),
    'spec.certificate.commonName',
  ),
  admission(
    'names',
    'an e-mail with two @',
    certificateUser({ emailAddresses: ['a@b@billing.example.com'] }),
    'spec.certificate.emailAddresses[0]',
  ),
  admission(
    'names',
    'an e-mail without a local part',
    certificateUser({ emailAddresses: ['@billing.example.com'] }),
    'spec.certificate.emailAddresses[0]',
  ),
  admission(
    'names',
    'a username with an = (a subject in disguise)',
    password({ username: 'CN=billing' }),
    'spec.username',
  ),
  admission(
    'names',
    'an account name with a slash',
    account({ accountName: 'demo/orders' }),
    'spec.accountName',
  ),
  admission(
    'names',
    'a credentials Secret name in upper case',
    nkey({ secretName: 'Billing-Creds' }),
    'spec.secretName',
  ),
  admission(
    'names',
    'a credentials Secret name with a slash',
    nkey({ secretName: '../tenants-auth' }),
    'spec.secretName',
  ),
];

// --- Over-long strings and lists -----------------------------------------------------------------

const long = (n: number, unit = 'a') => unit.repeat(n);
const overLong: Raw[] = [
  admission(
    'over-long',
    'an account name of 65 characters',
    account({ accountName: long(65) }),
    'spec.accountName',
  ),
  admission('over-long', 'a username of 129 characters', password({ username: long(129) }), 'spec.username'),
  admission(
    'over-long',
    'a subject of 513 characters',
    nkey({ permissions: { publish: { allow: [`${long(255)}.${long(257)}`] } } }),
    'spec.permissions.publish.allow[0]',
  ),
  admission(
    'over-long',
    'a common name of 65 characters',
    certificateUser({ commonName: long(65) }),
    'spec.certificate.commonName',
  ),
  admission(
    'over-long',
    'an e-mail of 255 characters',
    certificateUser({ emailAddresses: [`${long(200)}@${long(50)}.example`] }),
    'spec.certificate.emailAddresses[0]',
  ),
  admission(
    'over-long',
    'a Secret name of 254 characters',
    nkey({ secretName: long(254) }),
    'spec.secretName',
  ),
  admission(
    'over-long',
    'a cluster name of 254 characters',
    account({ clusterRef: { name: long(254) } }),
    'spec.clusterRef.name',
  ),
  admission(
    'over-long',
    'an account reference of 254 characters',
    nkey({ accountRef: { name: long(254) } }),
    'spec.accountRef.name',
  ),
  admission(
    'over-long',
    'a stream import prefix of 600 characters',
    account({ imports: [{ stream: { account: 'orders', subject: 'orders.events.>' }, prefix: long(600) }] }),
    'spec.imports[0].prefix',
  ),
  admission(
    'over-long',
    '257 publish permissions',
    nkey({ permissions: { publish: { allow: Array.from({ length: 257 }, (_, i) => `s${i}`) } } }),
    'spec.permissions.publish.allow',
  ),
  admission(
    'over-long',
    '257 exports',
    account({ exports: Array.from({ length: 257 }, (_, i) => ({ stream: `s${i}` })) }),
    'spec.exports',
  ),
  admission(
    'over-long',
    'nine e-mail SANs',
    certificateUser({ emailAddresses: Array.from({ length: 9 }, (_, i) => `a${i}@billing.example.com`) }),
    'spec.certificate.emailAddresses',
  ),
];

// --- Numbers beyond int32/int64, negative, fractional ----------------------------------------------

const numbers: Raw[] = [
  admission(
    'numbers',
    'an account connection limit of 2^31',
    account({ limits: { maxConnections: 2 ** 31 } }),
    'spec.limits.maxConnections',
  ),
  admission(
    'numbers',
    'an account connection limit of -2',
    account({ limits: { maxConnections: -2 } }),
    'spec.limits.maxConnections',
  ),
  admission(
    'numbers',
    'a fractional connection limit',
    account({ limits: { maxConnections: 1.5 } }),
    'spec.limits.maxConnections',
  ),
  admission(
    'numbers',
    'a subscription limit beyond int64',
    account({ limits: { maxSubscriptions: 1e19 } }),
    'spec.limits.maxSubscriptions',
  ),
  admission(
    'numbers',
    'a leaf node limit of -5',
    account({ limits: { maxLeafNodes: -5 } }),
    'spec.limits.maxLeafNodes',
  ),
  admission(
    'numbers',
    'a JetStream stream limit of 2^31',
    account({ jetstream: { maxStreams: 2 ** 31 } }),
    'spec.jetstream.maxStreams',
  ),
  admission(
    'numbers',
    'a JetStream consumer limit of -2',
    account({ jetstream: { maxConsumers: -2 } }),
    'spec.jetstream.maxConsumers',
  ),
  admission(
    'numbers',
    'a response limit of zero messages',
    nkey({ permissions: { allowResponses: { maxMsgs: 0 } } }),
    'spec.permissions.allowResponses.maxMsgs',
  ),
  admission(
    'numbers',
    'a response limit of 2^31 messages',
    nkey({ permissions: { allowResponses: { maxMsgs: 2 ** 31 } } }),
    'spec.permissions.allowResponses.maxMsgs',
  ),
  admission(
    'numbers',
    'a JWT user subscription limit of -2',
    user({ authType: 'Creds', limits: { maxSubscriptions: -2 } }, 'jwt'),
    'spec.limits.maxSubscriptions',
  ),
];

// --- Durations and quantities ------------------------------------------------------------------

const unitsRefused: Raw[] = [
  admission(
    'durations',
    'a response expiry in words',
    nkey({ permissions: { allowResponses: { expires: '1 minute' } } }),
    'spec.permissions.allowResponses.expires',
  ),
  admission(
    'durations',
    'a negative response expiry',
    nkey({ permissions: { allowResponses: { expires: '-1s' } } }),
    'spec.permissions.allowResponses.expires',
  ),
  admission(
    'durations',
    'a response expiry in days',
    nkey({ permissions: { allowResponses: { expires: '1d' } } }),
    'spec.permissions.allowResponses.expires',
  ),
  admission(
    'durations',
    'a response expiry without a unit',
    nkey({ permissions: { allowResponses: { expires: '60' } } }),
    'spec.permissions.allowResponses.expires',
  ),
  admission(
    'durations',
    'a certificate duration in days',
    certificateUser({ duration: '90d' }),
    'spec.certificate.duration',
  ),
  admission(
    'durations',
    'a certificate renewal in weeks',
    certificateUser({ renewBefore: '2w' }),
    'spec.certificate.renewBefore',
  ),
  admission(
    'quantities',
    'a payload limit in words',
    account({ limits: { maxPayload: 'big' } }),
    'spec.limits.maxPayload',
  ),
  admission(
    'quantities',
    'a negative payload limit',
    account({ limits: { maxPayload: '-1Mi' } }),
    'spec.limits.maxPayload',
  ),
  admission(
    'quantities',
    'a payload limit in MB (not a quantity suffix)',
    account({ limits: { maxPayload: '1MB' } }),
    'spec.limits.maxPayload',
  ),
  admission(
    'quantities',
    'a JetStream memory limit with a space',
    account({ jetstream: { maxMemory: '1 Gi' } }),
    'spec.jetstream.maxMemory',
  ),
  admission(
    'quantities',
    'a JetStream storage limit in hex',
    account({ jetstream: { maxStorage: '0x10' } }),
    'spec.jetstream.maxStorage',
  ),
  admission(
    'quantities',
    'a JWT user data limit in lower case',
    user({ authType: 'Creds', limits: { maxData: '1gi' } }, 'jwt'),
    'spec.limits.maxData',
  ),
];

const unitsBeyond: Raw[] = [
  degraded(
    'durations',
    'a response expiry beyond int64 nanoseconds',
    nkey({ permissions: { allowResponses: { expires: '2562048h' } } }),
    'OutOfBounds',
    'spec.permissions.allowResponses.expires',
  ),
  degraded(
    'durations',
    'a response expiry of 10^20 seconds',
    nkey({ permissions: { allowResponses: { expires: '100000000000000000000s' } } }),
    'OutOfBounds',
    'spec.permissions.allowResponses.expires',
  ),
  degraded(
    'quantities',
    'an account payload limit above 64 MiB',
    account({ limits: { maxPayload: '65Mi' } }),
    'OutOfBounds',
    'spec.limits.maxPayload',
  ),
  degraded(
    'quantities',
    'an account payload limit of 8 EiB',
    account({ limits: { maxPayload: '8Ei' } }),
    'OutOfBounds',
    'spec.limits.maxPayload',
  ),
  degraded(
    'quantities',
    'an account data limit beyond int64',
    account({ limits: { maxData: '9Ei' } }),
    'OutOfBounds',
    'spec.limits.maxData',
  ),
  degraded(
    'quantities',
    'a JetStream memory limit beyond int64',
    account({ jetstream: { maxMemory: '8Ei' } }),
    'OutOfBounds',
    'spec.jetstream.maxMemory',
  ),
  degraded(
    'quantities',
    'a JetStream storage limit of 10^22 bytes',
    account({ jetstream: { maxStorage: '10000E' } }),
    'OutOfBounds',
    'spec.jetstream.maxStorage',
  ),
  degraded(
    'quantities',
    'a JWT user payload limit above 64 MiB',
    user({ authType: 'Creds', limits: { maxPayload: '128Mi' } }, 'jwt'),
    'OutOfBounds',
    'spec.limits.maxPayload',
    'jwt',
  ),
  degraded(
    'quantities',
    'a JWT user data limit beyond int64',
    user({ authType: 'Creds', limits: { maxData: '16Ei' } }, 'jwt'),
    'OutOfBounds',
    'spec.limits.maxData',
    'jwt',
  ),
];

// --- Reserved names and names taken by an older tenant -----------------------------------------

const names: Raw[] = [
  admission('reserved names', 'the account name $SYS', account({ accountName: '$SYS' }), 'spec.accountName'),
  admission('reserved names', 'the account name $G', account({ accountName: '$G' }), 'spec.accountName'),
  degraded(
    'reserved names',
    'the account name SYS (the cluster designates another account)',
    account({ accountName: 'SYS' }),
    'ReservedName',
    'spec.accountName',
  ),
  degraded(
    'reserved names',
    'a user joining the system account without the platform listing it',
    password({ accountRef: { name: 'system' } }),
    'ReservedAccount',
    'spec.accountRef.name',
  ),
  degraded(
    'reserved names',
    'an NKey user joining the system account',
    nkey({ accountRef: { name: 'system' } }),
    'ReservedAccount',
    'spec.accountRef.name',
  ),
  degraded(
    'reserved names',
    'the account name SYS on a JWT cluster',
    account({ accountName: 'SYS' }, 'jwt'),
    'ReservedName',
    'spec.accountName',
    'jwt',
  ),
  degraded(
    'reserved names',
    "a credentials Secret named like the cluster's identities Secret",
    nkey({ secretName: 'tenants-identities' }),
    'ReservedName',
    'spec.secretName',
  ),
  degraded(
    'reserved names',
    "a credentials Secret named like the cluster's auth Secret",
    nkey({ secretName: 'tenants-auth' }),
    'ReservedName',
    'spec.secretName',
  ),
  degraded(
    'reserved names',
    "a credentials Secret named like the cluster's server TLS Secret",
    nkey({ secretName: 'tenants-server-tls' }),
    'ReservedName',
    'spec.secretName',
  ),
  degraded(
    'reserved names',
    "a JWT user's credentials Secret named like the cluster's identities Secret",
    user({ authType: 'Creds', secretName: 'jwt-identities' }, 'jwt'),
    'ReservedName',
    'spec.secretName',
    'jwt',
  ),
  degraded(
    'reserved names',
    "a credentials Secret named like billing-app's client certificate Secret",
    nkey({ secretName: 'billing-app-nats-client-tls' }),
    'ReservedName',
    'spec.secretName',
  ),
  degraded(
    'name conflicts',
    "billing-app's credentials Secret",
    nkey({ secretName: 'billing-app-nats-credentials' }),
    'NameConflict',
    'spec.secretName',
  ),
  degraded(
    'name conflicts',
    "sensor's credentials Secret on a JWT cluster",
    user({ authType: 'Creds', secretName: 'sensor-nats-credentials' }, 'jwt'),
    'NameConflict',
    'spec.secretName',
    'jwt',
  ),
  degraded(
    'name conflicts',
    "orders' NATS account name",
    account({ accountName: 'orders' }),
    'NameConflict',
    'spec.accountName',
  ),
  degraded(
    'name conflicts',
    "billing's NATS account name",
    account({ accountName: 'billing' }),
    'NameConflict',
    'spec.accountName',
  ),
  degraded(
    'name conflicts',
    "telemetry's NATS account name on a JWT cluster",
    account({ accountName: 'telemetry' }, 'jwt'),
    'NameConflict',
    'spec.accountName',
    'jwt',
  ),
  degraded(
    'name conflicts',
    "billing-app's username, from another account",
    user({ accountRef: { name: 'orders' }, authType: 'Password', username: 'billing' }),
    'NameConflict',
    'spec.username',
  ),
  degraded(
    'name conflicts',
    "billing-app's username, in its own account",
    password({ username: 'billing' }),
    'NameConflict',
    'spec.username',
  ),
  degraded(
    'name conflicts',
    "monitor's username (its metadata.name)",
    password({ username: 'monitor' }),
    'NameConflict',
    'spec.username',
  ),
  degraded(
    'name conflicts',
    "billing-app's username through metadata.name alone",
    user({ authType: 'Password' }, 'tenants', 'billing'),
    'NameConflict',
    'spec.username',
  ),
  degraded(
    'name conflicts',
    "auditor's common name",
    certificateUser({ commonName: 'auditor' }, 'mapped'),
    'NameConflict',
    'spec.certificate',
    'mapped',
  ),
  degraded(
    'name conflicts',
    "ledger's common name",
    certificateUser({ commonName: 'ledger' }, 'mapped'),
    'NameConflict',
    'spec.certificate',
    'mapped',
  ),
  degraded(
    'name conflicts',
    "auditor's e-mail SAN",
    certificateUser({ commonName: 'someone', emailAddresses: ['auditor@payments.example.com'] }, 'mapped'),
    'NameConflict',
    'spec.certificate',
    'mapped',
  ),
  degraded(
    'name conflicts',
    "auditor's e-mail as a common name",
    certificateUser({ commonName: 'auditor@payments.example.com' }, 'mapped'),
    'NameConflict',
    'spec.certificate',
    'mapped',
  ),
  degraded(
    'name conflicts',
    "a common name spelling out auditor's subject",
    certificateUser({ commonName: 'CN=auditor' }, 'mapped'),
    'NameConflict',
    'spec.certificate',
    'mapped',
  ),
];

// --- References to accounts that are not there, or not here ------------------------------------

const references: Raw[] = [
  degraded(
    'imports nobody offers',
    'a stream import of a subject orders does not export',
    account({ imports: [{ stream: { account: 'orders', subject: 'orders.secret.>' }, prefix: 'peek' }] }),
    'MissingExport',
    'spec.imports[0].stream.subject',
  ),
  degraded(
    'imports nobody offers',
    'a stream import of an export orders restricts to billing',
    account({ imports: [{ stream: { account: 'orders', subject: 'orders.events.>' }, prefix: 'stolen' }] }),
    'MissingExport',
    'spec.imports[0].stream.account',
  ),
  degraded(
    'imports nobody offers',
    'a service import of a subject orders exports only as a stream',
    account({ imports: [{ service: { account: 'orders', subject: 'orders.events.created' } }] }),
    'MissingExport',
    'spec.imports[0].service.subject',
  ),
  degraded(
    'imports nobody offers',
    'a wildcard import wider than the export',
    account({ imports: [{ service: { account: 'orders', subject: 'orders.*' } }] }),
    'MissingExport',
    'spec.imports[0].service.subject',
  ),
  degraded(
    'missing accounts',
    'a stream import from an account that does not exist',
    account({ imports: [{ stream: { account: 'nowhere', subject: 'x.>' } }] }),
    'MissingAccount',
    'spec.imports[0]',
  ),
  degraded(
    'missing accounts',
    'a service import from an account that does not exist',
    account({ imports: [{ service: { account: 'ghost', subject: 'x' } }] }),
    'MissingAccount',
    'spec.imports[0]',
  ),
  degraded(
    'missing accounts',
    'a good import, then one from a missing account',
    account({
      imports: [
        { stream: { account: 'orders', subject: 'orders.events.>' }, prefix: 'mine' },
        { service: { account: 'vanished', subject: 'lookup' } },
      ],
    }),
    'MissingAccount',
    'spec.imports[1]',
  ),
  degraded(
    'missing accounts',
    'an export to an account that does not exist',
    account({ exports: [{ stream: 'x.>', accounts: ['billing', 'nowhere'] }] }),
    'MissingAccount',
    'spec.exports[0].accounts',
  ),
  degraded(
    'missing accounts',
    'an import by metadata.name of an account renamed in NATS (system is SYS)',
    account({ imports: [{ stream: { account: 'system', subject: '$SYS.>' } }] }),
    'MissingAccount',
    'spec.imports[0]',
  ),
  admission(
    'across namespaces',
    'a cluster reference with a namespace',
    account({ clusterRef: { name: 'tenants', namespace: 'kube-system' } }),
    'spec.clusterRef.namespace',
  ),
  admission(
    'across namespaces',
    'an account reference with a namespace',
    nkey({ accountRef: { name: 'billing', namespace: 'other' } }),
    'spec.accountRef.namespace',
  ),
  admission(
    'across namespaces',
    'an import from namespace/account',
    account({ imports: [{ stream: { account: 'other/orders', subject: 'orders.>' } }] }),
    'spec.imports[0].stream.account',
  ),
  admission(
    'across namespaces',
    'an export to namespace/account',
    account({ exports: [{ stream: 'x.>', accounts: ['other/billing'] }] }),
    'spec.exports[0].accounts[0]',
  ),
  admission(
    'across namespaces',
    'a Secret in another namespace',
    nkey({ secretName: 'kube-system/creds' }),
    'spec.secretName',
  ),
];

// --- What the cluster cannot serve, or the operator cannot honour yet ---------------------------

const unsupported: Raw[] = [
  degraded(
    'auth types',
    'a Creds user on a Config cluster',
    user({ authType: 'Creds' }),
    'UnsupportedAuthType',
    'spec.authType',
  ),
  degraded(
    'auth types',
    'a Certificate user on a cluster without verifyAndMap',
    certificateUser({ commonName: 'billing-cert' }),
    'UnsupportedAuthType',
    'spec.authType',
  ),
  degraded(
    'auth types',
    'a Password user on a verifyAndMap cluster',
    user({ authType: 'Password' }, 'mapped'),
    'UnsupportedAuthType',
    'spec.authType',
    'mapped',
  ),
  degraded(
    'auth types',
    'an NKey user on a JWT cluster',
    user({ authType: 'NKey' }, 'jwt'),
    'UnsupportedAuthType',
    'spec.authType',
    'jwt',
  ),
  degraded(
    'auth types',
    'a Password user on a JWT cluster',
    user({ authType: 'Password', username: 'sneaky' }, 'jwt'),
    'UnsupportedAuthType',
    'spec.authType',
    'jwt',
  ),
  degraded(
    'unsupported fields',
    'an account data limit on a Config cluster',
    account({ limits: { maxData: '1Gi' } }),
    'UnsupportedField',
    'spec.limits.maxData',
  ),
  degraded(
    'imports nobody offers',
    'a JWT-cluster import of a subject telemetry does not export',
    account({ imports: [{ stream: { account: 'telemetry', subject: 'secrets.>' }, prefix: 'p' }] }, 'jwt'),
    'MissingExport',
    'spec.imports[0].stream.subject',
    'jwt',
  ),
  degraded(
    'imports nobody offers',
    'a JWT-cluster service import from an account that exports none',
    account({ imports: [{ service: { account: 'analytics', subject: 'reports' } }] }, 'jwt'),
    'MissingExport',
    'spec.imports[0].service.subject',
    'jwt',
  ),
  admission(
    'unsupported fields',
    'a password from a Secret',
    password({ passwordSecretRef: { name: 'mine' } }),
    'spec.passwordSecretRef',
  ),
  admission(
    'unsupported fields',
    'a password from a Secret with a key',
    password({ passwordSecretRef: { name: 'mine', key: 'pw' } }),
    'spec.passwordSecretRef',
  ),
  degraded(
    'unsupported fields',
    'an account JWT expiry on a Config-mode cluster',
    account({ jwtExpiry: '720h' }),
    'UnsupportedField',
    'spec.jwtExpiry',
  ),
  admission(
    'durations',
    'an account JWT expiry under an hour',
    account({ jwtExpiry: '30m' }, 'jwt'),
    'spec.jwtExpiry',
  ),
  admission(
    'durations',
    'an account JWT expiry beyond ten years',
    account({ jwtExpiry: '87601h' }, 'jwt'),
    'spec.jwtExpiry',
  ),
  admission(
    'durations',
    'a user JWT expiry under an hour',
    user({ authType: 'Creds', jwtExpiry: '59m59s' }, 'jwt'),
    'spec.jwtExpiry',
  ),
  admission(
    'unsupported fields',
    'a JWT expiry on an NKey user',
    nkey({ jwtExpiry: '24h' }),
    'spec.jwtExpiry',
  ),
  admission(
    'unsupported fields',
    'a connection type nats-server does not know',
    nkey({ allowedConnectionTypes: ['TELNET'] }),
    'spec.allowedConnectionTypes[0]',
  ),
  admission(
    'unsupported fields',
    'an empty list of allowed connection types (would allow none, silently)',
    nkey({ allowedConnectionTypes: [] }),
    'spec.allowedConnectionTypes',
  ),
  admission(
    'unsupported fields',
    'JWT limits on a Password user',
    password({ limits: { maxSubscriptions: 10 } }),
    'spec.limits',
  ),
  admission(
    'unsupported fields',
    'a username on an NKey user',
    nkey({ username: 'billing' }),
    'spec.username',
  ),
  admission(
    'unsupported fields',
    'certificate settings on an NKey user',
    nkey({ certificate: { commonName: 'billing' } }),
    'spec.certificate',
  ),
];

// --- Unknown fields, wrong types, wrong shapes -----------------------------------------------------

const shapes: Raw[] = [
  admission('unknown fields', 'an unknown top-level account field', account({ admin: true }), 'spec.admin'),
  admission('unknown fields', 'an unknown user field', nkey({ superuser: true }), 'spec.superuser'),
  admission(
    'unknown fields',
    "a misspelt permission ('allows')",
    nkey({ permissions: { publish: { allows: ['>'] } } }),
    'spec.permissions.publish.allows',
  ),
  admission(
    'unknown fields',
    'an unknown export field',
    account({ exports: [{ stream: 'x', subject: '>' }] }),
    'spec.exports[0].subject',
  ),
  admission(
    'unknown fields',
    'an unknown import account field',
    account({ imports: [{ stream: { account: 'orders', subject: 'orders.>', token: 'x' } }] }),
    'spec.imports[0].stream.token',
  ),
  admission(
    'unknown fields',
    'a certificate organisation',
    certificateUser({ organization: ['evil'] }),
    'spec.certificate.organization',
  ),
  admission(
    'unknown fields',
    'an unknown account limit',
    account({ limits: { maxConn: 5 } }),
    'spec.limits.maxConn',
  ),
  admission(
    'wrong types',
    'a cluster reference as a string',
    account({ clusterRef: 'tenants' }),
    'spec.clusterRef',
  ),
  admission('wrong types', 'an account name as a number', account({ accountName: 42 }), 'spec.accountName'),
  admission('wrong types', 'exports as an object', account({ exports: { stream: 'x' } }), 'spec.exports'),
  admission(
    'wrong types',
    'a permission list as a string',
    nkey({ permissions: { publish: { allow: 'orders.>' } } }),
    'spec.permissions.publish.allow',
  ),
  admission(
    'wrong types',
    'a connection limit as a string',
    account({ limits: { maxConnections: '100' } }),
    'spec.limits.maxConnections',
  ),
  admission(
    'wrong types',
    'JetStream enabled as a string',
    account({ jetstream: { enabled: 'yes' } }),
    'spec.jetstream.enabled',
  ),
  admission('wrong types', 'an auth type as a number', user({ authType: 1 }), 'spec.authType'),
  admission('wrong types', 'an auth type in lower case', user({ authType: 'password' }), 'spec.authType'),
  admission(
    'wrong types',
    'e-mail SANs as a string',
    certificateUser({ emailAddresses: 'a@billing.example.com' }),
    'spec.certificate.emailAddresses',
  ),
  admission(
    'wrong types',
    'allowResponses as a boolean',
    nkey({ permissions: { allowResponses: true } }),
    'spec.permissions.allowResponses',
  ),
  admission(
    'wrong types',
    'a response type in lower case',
    account({ exports: [{ service: 'x', responseType: 'singleton' }] }),
    'spec.exports[0].responseType',
  ),
  admission(
    'wrong shapes',
    'an export naming both stream and service',
    account({ exports: [{ stream: 'a', service: 'b' }] }),
    'spec.exports[0]',
  ),
  admission(
    'wrong shapes',
    'an import naming neither stream nor service',
    account({ imports: [{ to: 'x' }] }),
    'spec.imports[0]',
  ),
  admission(
    'wrong shapes',
    'a prefix on a service import',
    account({ imports: [{ service: { account: 'orders', subject: 'orders.lookup' }, prefix: 'p' }] }),
    'spec.imports[0].prefix',
  ),
  admission(
    'wrong shapes',
    'a local subject (to) on a stream import',
    account({ imports: [{ stream: { account: 'orders', subject: 'orders.events.>' }, to: 'x' }] }),
    'spec.imports[0].to',
  ),
  admission(
    'wrong shapes',
    'a response type on a stream export',
    account({ exports: [{ stream: 'a', responseType: 'Stream' }] }),
    'spec.exports[0].responseType',
  ),
  admission(
    'wrong shapes',
    'an account without a cluster reference',
    { ...account({}), spec: {} },
    'spec.clusterRef',
  ),
  admission(
    'wrong shapes',
    'a user without an account reference',
    { ...nkey(), spec: { authType: 'NKey' } },
    'spec.accountRef',
  ),
];

// --- Certificate names a tenant could try to sneak into the cluster's own certificates ------------

const clusterNames: Raw[] = [
  admission(
    'DNS and IP names',
    'a server certificate for every name',
    cluster({ tls: { client: { extraDNSNames: ['*'] } } }),
    'spec.tls.client.extraDNSNames[0]',
  ),
  admission(
    'DNS and IP names',
    'a wildcard for a top-level domain',
    cluster({ tls: { client: { extraDNSNames: ['*.com'] } } }),
    'spec.tls.client.extraDNSNames[0]',
  ),
  admission(
    'DNS and IP names',
    'a wildcard in the middle of a name',
    cluster({ tls: { client: { extraDNSNames: ['nats.*.example.com'] } } }),
    'spec.tls.client.extraDNSNames[0]',
  ),
  admission(
    'DNS and IP names',
    'a partial-label wildcard',
    cluster({ tls: { client: { extraDNSNames: ['n*.example.com'] } } }),
    'spec.tls.client.extraDNSNames[0]',
  ),
  admission(
    'DNS and IP names',
    'a DNS name in upper case',
    cluster({ tls: { client: { extraDNSNames: ['NATS.example.com'] } } }),
    'spec.tls.client.extraDNSNames[0]',
  ),
  admission(
    'DNS and IP names',
    'a DNS label starting with a hyphen',
    cluster({ tls: { client: { extraDNSNames: ['-nats.example.com'] } } }),
    'spec.tls.client.extraDNSNames[0]',
  ),
  admission(
    'DNS and IP names',
    'a DNS label of 64 characters',
    cluster({ tls: { client: { extraDNSNames: [`${long(64)}.example.com`] } } }),
    'spec.tls.client.extraDNSNames[0]',
  ),
  admission(
    'DNS and IP names',
    'a DNS name of 254 characters',
    cluster({
      tls: { routes: { extraDNSNames: [`${long(61)}.${long(61)}.${long(61)}.${long(61)}.example`] } },
    }),
    'spec.tls.routes.extraDNSNames[0]',
  ),
  admission(
    'DNS and IP names',
    'a NUL in a DNS name',
    cluster({ tls: { client: { extraDNSNames: ['nats\u0000.example.com'] } } }),
    'spec.tls.client.extraDNSNames[0]',
  ),
  admission(
    'DNS and IP names',
    'a route wildcard for a top-level domain',
    cluster({ tls: { routes: { extraDNSNames: ['*.io'] } } }),
    'spec.tls.routes.extraDNSNames[0]',
  ),
  admission(
    'DNS and IP names',
    'an IPv4 octet above 255',
    cluster({ tls: { client: { extraIPAddresses: ['10.0.0.256'] } } }),
    'spec.tls.client.extraIPAddresses[0]',
  ),
  admission(
    'DNS and IP names',
    'an IPv4 address of three octets',
    cluster({ tls: { client: { extraIPAddresses: ['10.0.1'] } } }),
    'spec.tls.client.extraIPAddresses[0]',
  ),
  admission(
    'DNS and IP names',
    'an IPv6 address with a zone',
    cluster({ tls: { client: { extraIPAddresses: ['fe80::1%eth0'] } } }),
    'spec.tls.client.extraIPAddresses[0]',
  ),
  admission(
    'DNS and IP names',
    'a host name as an IP address',
    cluster({ tls: { client: { extraIPAddresses: ['localhost'] } } }),
    'spec.tls.client.extraIPAddresses[0]',
  ),
];

/** The whole table, each entry named by its index so names stay unique and DNS-1123. */
export const HOSTILE: HostileEntry[] = [
  ...controlCharacters,
  ...unicodeSpaces,
  ...wildcards,
  ...overLong,
  ...numbers,
  ...unitsRefused,
  ...unitsBeyond,
  ...names,
  ...references,
  ...unsupported,
  ...shapes,
  ...clusterNames,
].map((entry, i) => {
  const doc = JSON.parse(JSON.stringify(entry.doc)) as HostileDoc;
  if (!doc.metadata.name) doc.metadata.name = `hostile-${String(i).padStart(3, '0')}`;
  return { ...entry, target: entry.target ?? 'tenants', doc };
});

export const isAdmission = (o: Outcome): o is { admission: string } => 'admission' in o;
