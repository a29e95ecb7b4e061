// NatsUser: one application identity in a NatsAccount. The operator hands it a credentials Secret:
// user.creds (JWT mode), nkey.seed, username+password, or a client certificate (Config mode), always
// with ca.crt and the connection URL.
import { Type, type Static } from '@sinclair/typebox';
import {
  Count,
  Condition,
  Duration,
  EmailAddress,
  LocalObjectReference,
  ObjectMeta,
  ObjectName,
  Permissions,
  PrintableText,
  Quantity,
  StringEnum,
  withRules,
} from './common.ts';

export const NatsUserSpec = withRules(
  Type.Object({
    accountRef: LocalObjectReference,
    /** Password, NKey or Certificate in Config mode; Creds (a user JWT and seed) in JWT mode. */
    authType: StringEnum(['Password', 'NKey', 'Certificate', 'Creds'], { default: 'NKey' }),
    /** Password users: the user name; defaults to metadata.name. */
    username: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.@-]+$', maxLength: 128 })),
    /** Password users: bring your own password from a Secret key instead of a generated one. */
    passwordSecretRef: Type.Optional(
      Type.Object({ name: ObjectName(), key: Type.String({ default: 'password' }) }),
    ),
    /** Certificate users: the certificate's subject, mapped by verify_and_map. */
    certificate: Type.Optional(
      Type.Object({
        commonName: Type.Optional(PrintableText({ maxLength: 64 })),
        emailAddresses: Type.Optional(Type.Array(EmailAddress(), { maxItems: 8 })),
        duration: Duration({ default: '2160h' }),
        renewBefore: Duration({ default: '360h' }),
      }),
    ),
    permissions: Type.Optional(Permissions),
    /** JWT mode user limits. */
    limits: Type.Optional(
      Type.Object({
        maxSubscriptions: Type.Optional(Count({ minimum: -1 })),
        maxPayload: Type.Optional(Quantity()),
        maxData: Type.Optional(Quantity()),
      }),
    ),
    /**
     * The kinds of connection the user may open (nats-server's allowed_connection_types); unset: any.
     * Both modes: in the user JWT, or in the user's entry of the server config.
     */
    allowedConnectionTypes: Type.Optional(
      Type.Array(
        StringEnum(['STANDARD', 'WEBSOCKET', 'LEAFNODE', 'LEAFNODE_WS', 'MQTT', 'MQTT_WS', 'IN_PROCESS']),
        {
          minItems: 1,
          maxItems: 7,
          'x-kubernetes-list-type': 'set',
        },
      ),
    ),
    /**
     * JWT mode: the user JWT expires this long after it is signed; the operator signs a new one (same
     * key) into the Secret before half of it has passed. Unset: no expiry.
     */
    jwtExpiry: Type.Optional(Duration()),
    /** The credentials Secret to write; defaults to `<name>-nats-credentials`. */
    secretName: Type.Optional(ObjectName()),
  }),
  [
    {
      rule: "self.authType == 'Password' || (!has(self.username) && !has(self.passwordSecretRef))",
      message: 'username and passwordSecretRef apply to authType Password only',
      fieldPath: '.username',
    },
    {
      rule: "self.authType == 'Certificate' || !has(self.certificate)",
      message: 'certificate applies to authType Certificate only',
      fieldPath: '.certificate',
    },
    {
      // Accepted and ignored would be a silent drop: refused until the operator reads such Secrets.
      rule: '!has(self.passwordSecretRef)',
      message:
        'passwordSecretRef is not supported yet: the operator generates the password; remove the field',
      fieldPath: '.passwordSecretRef',
    },
    {
      rule: "self.authType == 'Creds' || !has(self.limits)",
      message: 'limits apply to authType Creds (JWT mode) only',
      fieldPath: '.limits',
    },
    {
      rule: "self.authType == 'Creds' || !has(self.jwtExpiry)",
      message: 'jwtExpiry applies to authType Creds (JWT mode) only',
      fieldPath: '.jwtExpiry',
    },
    {
      // Re-signed at half-life: a shorter expiry would keep the operator re-signing and clients reloading.
      rule: "!has(self.jwtExpiry) || (duration(self.jwtExpiry) >= duration('1h') && duration(self.jwtExpiry) <= duration('87600h'))",
      message: 'jwtExpiry must be between 1h and 87600h (10 years)',
      fieldPath: '.jwtExpiry',
    },
  ],
);

export const NatsUserStatus = Type.Object({
  observedGeneration: Type.Optional(Type.Integer()),
  conditions: Type.Optional(Type.Array(Condition)),
  secretName: Type.Optional(Type.String()),
  /** The key the user authenticates with (NKey and Creds users); never a seed. */
  publicKey: Type.Optional(Type.String()),
  /** When the user's JWT (Creds) or client certificate (Certificate users) stops being valid. */
  expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
});

export const NatsUser = Type.Object({
  apiVersion: Type.Literal('natswarden.io/v1alpha1'),
  kind: Type.Literal('NatsUser'),
  metadata: ObjectMeta,
  spec: NatsUserSpec,
  status: Type.Optional(NatsUserStatus),
});
export type NatsUser = Static<typeof NatsUser>;
export type NatsUserSpec = Static<typeof NatsUserSpec>;
