// NatsAccount: one tenant in a NatsCluster. Config mode renders it as an `accounts {}` entry; JWT
// mode as an account key Secret and a signed account JWT pushed to every server.
import { Type, type Static } from '@sinclair/typebox';
import {
  Count,
  Condition,
  LocalObjectReference,
  NOT_TEXT,
  ObjectMeta,
  Permissions,
  Quantity,
  StringEnum,
  Subject,
  withRules,
  Duration,
} from './common.ts';

const AccountName = Type.String({ pattern: '^[A-Za-z0-9_-]+$', minLength: 1, maxLength: 64 });

const Export = withRules(
  Type.Object({
    stream: Type.Optional(Subject()),
    service: Type.Optional(Subject()),
    accounts: Type.Optional(
      Type.Array(AccountName, {
        maxItems: 64,
        description: 'Only these NatsAccounts may import it; all when empty.',
      }),
    ),
    responseType: Type.Optional(StringEnum(['Singleton', 'Stream', 'Chunked'])),
  }),
  [
    {
      rule: 'has(self.stream) != has(self.service)',
      message: 'an export names exactly one of stream or service',
    },
    {
      rule: '!has(self.responseType) || has(self.service)',
      message: 'responseType applies to service exports only',
      fieldPath: '.responseType',
    },
  ],
);

const Import = withRules(
  Type.Object({
    stream: Type.Optional(Type.Object({ account: AccountName, subject: Subject() })),
    service: Type.Optional(Type.Object({ account: AccountName, subject: Subject() })),
    prefix: Type.Optional(
      // Like a subject: no whitespace or control character (\s alone misses NUL, ESC and DEL), bounded.
      Type.String({
        pattern: `^[^.*>${NOT_TEXT}]+(\\.[^.*>${NOT_TEXT}]+)*$`,
        maxLength: 512,
        description: 'stream imports: local subject prefix',
      }),
    ),
    to: Type.Optional(Subject({ description: 'service imports: the local subject' })),
  }),
  [
    {
      rule: 'has(self.stream) != has(self.service)',
      message: 'an import names exactly one of stream or service',
    },
    {
      rule: '!has(self.prefix) || has(self.stream)',
      message: 'prefix applies to stream imports only',
      fieldPath: '.prefix',
    },
    {
      rule: '!has(self.to) || has(self.service)',
      message: 'to applies to service imports only',
      fieldPath: '.to',
    },
  ],
);

export const AccountJetStream = Type.Object({
  enabled: Type.Boolean({ default: true }),
  maxMemory: Type.Optional(Quantity()),
  maxStorage: Type.Optional(Quantity()),
  maxStreams: Type.Optional(Count({ minimum: -1 })),
  maxConsumers: Type.Optional(Count({ minimum: -1 })),
});

export const NatsAccountSpec = withRules(
  Type.Object({
    clusterRef: LocalObjectReference,
    /** The account's name inside NATS; defaults to metadata.name. */
    accountName: Type.Optional(AccountName),
    exports: Type.Optional(Type.Array(Export, { maxItems: 256 })),
    imports: Type.Optional(Type.Array(Import, { maxItems: 256 })),
    jetstream: Type.Optional(AccountJetStream),
    defaultPermissions: Type.Optional(Permissions),
    limits: Type.Optional(
      Type.Object({
        maxConnections: Type.Optional(Count({ minimum: -1 })),
        maxSubscriptions: Type.Optional(Count({ minimum: -1 })),
        maxPayload: Type.Optional(Quantity()),
        maxData: Type.Optional(Quantity()),
        maxLeafNodes: Type.Optional(Count({ minimum: -1 })),
      }),
    ),
    /**
     * JWT mode: the account JWT expires this long after it is signed; the operator signs and pushes a
     * new one before half of it has passed. Unset: no expiry. (Config mode has no account JWT: such an
     * account is left out, Degraded naming the field.)
     */
    jwtExpiry: Type.Optional(Duration()),
  }),
  [
    {
      // Re-signed at half-life: a shorter expiry would keep the operator pushing to every server.
      rule: "!has(self.jwtExpiry) || (duration(self.jwtExpiry) >= duration('1h') && duration(self.jwtExpiry) <= duration('87600h'))",
      message: 'jwtExpiry must be between 1h and 87600h (10 years)',
      fieldPath: '.jwtExpiry',
    },
  ],
);

export const NatsAccountStatus = Type.Object({
  observedGeneration: Type.Optional(Type.Integer()),
  conditions: Type.Optional(Type.Array(Condition)),
  publicKey: Type.Optional(Type.String()),
  users: Type.Optional(Type.Integer()),
  /** JWT mode: when the account JWT the servers should hold was signed (RFC 3339). */
  jwtIssuedAt: Type.Optional(Type.String()),
  /** When the account JWT the servers hold expires (jwtExpiry); absent: it does not. */
  jwtExpiresAt: Type.Optional(Type.String()),
  /** JWT mode: how many servers answered, and how many of them hold the current account JWT. */
  distribution: Type.Optional(
    Type.Object({
      servers: Type.Integer({ minimum: 0 }),
      current: Type.Integer({ minimum: 0 }),
    }),
  ),
});

export const NatsAccount = Type.Object({
  apiVersion: Type.Literal('natswarden.io/v1alpha1'),
  kind: Type.Literal('NatsAccount'),
  metadata: ObjectMeta,
  spec: NatsAccountSpec,
  status: Type.Optional(NatsAccountStatus),
});
export type NatsAccount = Static<typeof NatsAccount>;
export type NatsAccountSpec = Static<typeof NatsAccountSpec>;
