// Schema building blocks shared by the three kinds: formats and patterns a user meets in many places
// (durations, quantities, subjects, names). Each carries its own error wording through `description`.
import { FormatRegistry, Kind, Type, TypeRegistry, type Static, type TSchema } from '@sinclair/typebox';
import { FORMATS, QUANTITY_PATTERN } from './string-rules.ts';

export const GROUP = 'natswarden.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** A Go duration as nats-server and cert-manager parse it: "2s", "1h30m", "300ms". */
export const Duration = (options: object = {}) =>
  Type.String({ pattern: '^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$', ...options });

export { QUANTITY_PATTERN };
export const Quantity = (options: object = {}) => Type.String({ pattern: QUANTITY_PATTERN, ...options });

/**
 * What no subject, prefix or e-mail may hold: whitespace and control characters. The Unicode spaces
 * are spelt out because JavaScript's \s matches them and Go's (the API server's) does not, so \s
 * alone refuses offline what the cluster admits; as literal characters, since Go's regexp has no \u.
 */
export const NOT_TEXT = '\\s\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\\x00-\\x1f\\x7f';

/**
 * A NATS subject or wildcard pattern: tokens split by '.', `*` as a whole token, `>` only last; no
 * whitespace or control character anywhere (either would end or corrupt the subject in nats.conf).
 */
export const SUBJECT_PATTERN = `^(>|(\\*|[^.*>${NOT_TEXT}]+)(\\.(\\*|[^.*>${NOT_TEXT}]+))*(\\.>)?)$`;
export const Subject = (options: object = {}) =>
  Type.String({ pattern: SUBJECT_PATTERN, minLength: 1, maxLength: 512, ...options });

/** Text that reaches nats.conf or a certificate: no control characters (they end or forge lines). */
export const PrintableText = (options: object = {}) =>
  Type.String({ pattern: '^[^\\x00-\\x1f\\x7f]+$', ...options });

/** An e-mail address for a certificate SAN: one @, no whitespace or control character. */
export const EmailAddress = () =>
  Type.String({ pattern: `^[^@${NOT_TEXT}]+@[^@${NOT_TEXT}]+$`, maxLength: 254 });

/** One DNS label: at most 63 characters (RFC 1035), or the certificate cannot be issued. */
const LABEL = '[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?';
/**
 * A DNS name for a certificate SAN: RFC 1123, lower case; a wildcard only as the whole first label
 * and above at least two more (`*.nats.example.com`, never `*` or `*.com`).
 */
export const DnsName = () =>
  Type.String({
    pattern: `^(${LABEL}(\\.${LABEL})*|\\*(\\.${LABEL}){2,})$`,
    maxLength: 253,
    description: 'an RFC 1123 DNS name, or a wildcard (*.) above at least two labels',
  });

/** An IPv4 or IPv6 address for a certificate SAN. */
export const IpAddress = () =>
  Type.String({
    pattern:
      '^(((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])|[0-9a-fA-F]{0,4}(:[0-9a-fA-F]{0,4}){2,7})$',
    maxLength: 45,
    description: 'an IPv4 or IPv6 address',
  });

/**
 * A count nats-server stores in an int32 (connections, subscriptions, messages): bounded so no
 * value the API server admits overflows it, or JavaScript's exact integers.
 */
export const Count = (options: object = {}) => Type.Integer({ maximum: 2147483647, ...options });

/** A DNS-1123 name of another object in the same namespace. */
export const ObjectName = (options: object = {}) =>
  Type.String({
    pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
    maxLength: 253,
    ...options,
  });

export const LocalObjectReference = Type.Object({ name: ObjectName() });

/** Kubernetes core types we pass through unchanged (resources, affinity, ...). */
export const PassThrough = (description: string) =>
  Type.Unsafe<Record<string, unknown>>({
    [Kind]: 'PassThrough',
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
    description,
  });
TypeRegistry.Set(
  'PassThrough',
  (_schema, value) => typeof value === 'object' && value !== null && !Array.isArray(value),
);

export const SubjectList = Type.Array(Subject(), { maxItems: 256 });

export const PermissionRule = Type.Object({
  allow: Type.Optional(SubjectList),
  deny: Type.Optional(SubjectList),
});

/** publish/subscribe allow/deny and the response permission, as nats-server's `permissions {}`. */
export const Permissions = Type.Object({
  publish: Type.Optional(PermissionRule),
  subscribe: Type.Optional(PermissionRule),
  allowResponses: Type.Optional(
    Type.Object({
      maxMsgs: Type.Optional(Count({ minimum: 1, default: 1 })),
      expires: Type.Optional(Duration()),
    }),
  ),
});
export type Permissions = Static<typeof Permissions>;

// TypeBox knows no formats until told.
for (const [name, check] of Object.entries(FORMATS))
  if (!FormatRegistry.Has(name)) FormatRegistry.Set(name, check);

/** A metav1.Condition. */
export const Condition = Type.Object({
  type: Type.String(),
  status: Type.Union([Type.Literal('True'), Type.Literal('False'), Type.Literal('Unknown')]),
  reason: Type.String(),
  message: Type.String(),
  lastTransitionTime: Type.String({ format: 'date-time' }),
  observedGeneration: Type.Optional(Type.Integer()),
});
export type Condition = Static<typeof Condition>;

export const ObjectMeta = Type.Object({
  name: Type.String(),
  namespace: Type.Optional(Type.String()),
  uid: Type.Optional(Type.String()),
  generation: Type.Optional(Type.Integer()),
  labels: Type.Optional(Type.Record(Type.String(), Type.String())),
  annotations: Type.Optional(Type.Record(Type.String(), Type.String())),
  resourceVersion: Type.Optional(Type.String()),
  finalizers: Type.Optional(Type.Array(Type.String())),
  deletionTimestamp: Type.Optional(Type.String()),
});
export type ObjectMeta = Static<typeof ObjectMeta>;

/** CEL rule attached to a schema node (x-kubernetes-validations). */
export interface CelRule {
  rule: string;
  message: string;
  fieldPath?: string;
  reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}
export const withRules = <T extends TSchema>(schema: T, rules: CelRule[]): T =>
  Object.assign(schema, { 'x-kubernetes-validations': rules });

/** A string enum rendered as OpenAPI `enum` (TypeBox's literal unions would become anyOf). */
export const StringEnum = <T extends string[]>(values: [...T], options: object = {}) =>
  Type.Unsafe<T[number]>({ [Kind]: 'StringEnum', type: 'string', enum: values, ...options });
TypeRegistry.Set(
  'StringEnum',
  (schema: { enum: string[] }, value) => typeof value === 'string' && schema.enum.includes(value),
);
