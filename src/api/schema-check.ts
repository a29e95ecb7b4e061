// Validation of a user's document against the schema, with defaults applied the way the API server
// applies them. Every error names the field path, e.g. `spec.tls.client.minVersion`.
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { celErrors, unknownFields } from './cel.ts';
import { defaultedCopy } from './defaults.ts';
import { NatsAccount } from './natsaccount.ts';
import { NatsCluster } from './natscluster.ts';
import { NatsUser } from './natsuser.ts';

export interface FieldError {
  /** Dotted path from the document root, e.g. `spec.tls.client.minVersion` or `spec.imports[0].to`. */
  path: string;
  message: string;
}

export type Resource = NatsCluster | NatsAccount | NatsUser;
export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

const schemas: Record<Resource['kind'], TSchema> = { NatsCluster, NatsAccount, NatsUser };

/** `/spec/imports/0/to` -> `spec.imports[0].to` */
export function toFieldPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

/** Applies schema defaults to a copy of `doc` and reports every schema violation with its field path. */
export function validateAgainst<T>(schema: TSchema, doc: unknown): Validated<T> {
  const value = defaultedCopy(schema, doc);
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  const add = (error: FieldError) => {
    if (seen.has(error.path)) return; // one message per field: the first is the most specific
    seen.add(error.path);
    errors.push(error);
  };
  const spec = (schema as { properties?: { spec?: object } }).properties?.spec;
  const specValue = (value as { spec?: unknown } | null)?.spec;
  if (spec) unknownFields(spec, specValue, 'spec').forEach(add);
  for (const error of Value.Errors(schema, value))
    add({
      path: toFieldPath(error.path),
      message: humanMessage(error.schema as Record<string, unknown>, error.message),
    });
  if (spec && !errors.length) celErrors(spec, specValue, 'spec').forEach(add);
  return errors.length ? { ok: false, errors } : { ok: true, value: value as T };
}

const PATTERN_MEANINGS: [RegExp, string][] = [
  [/ns\|us\|/, 'must be a Go duration such as 2s, 300ms or 1h30m'],
  [/Ki\|Mi\|Gi/, 'must be a Kubernetes quantity such as 8Mi or 1Gi'],
  [/^\^\(>\|/, "must be a NATS subject: tokens separated by '.', '*' for one token, '>' only as the last"],
  [/A-Fa-f0-9\]\{64\}/, 'must be 64 hex digits (the SHA-256 of the certificate public key)'],
  [/\^\[a-z0-9\]/, 'must be a lowercase DNS-1123 name'],
];

/** TypeBox's messages, reworded where a user would not know what to change. */
function humanMessage(schema: Record<string, unknown>, fallback: string): string {
  if (Array.isArray(schema.enum)) return `must be one of ${schema.enum.join(', ')}`;
  const pattern = typeof schema.pattern === 'string' ? schema.pattern : undefined;
  if (pattern && /pattern|match/.test(fallback)) {
    return PATTERN_MEANINGS.find(([re]) => re.test(pattern))?.[1] ?? `must match ${pattern}`;
  }
  return fallback.replace(/^Expected/, 'must be').replace(/^Unexpected property/, 'unknown field');
}

/** Validates a document of one of the three kinds, chosen by its `kind`. */
export function validateResource(doc: unknown): Validated<Resource> {
  const kind = (doc as { kind?: unknown } | null)?.kind;
  const schema = typeof kind === 'string' ? schemas[kind as Resource['kind']] : undefined;
  if (!schema)
    return {
      ok: false,
      errors: [{ path: 'kind', message: `must be one of ${Object.keys(schemas).join(', ')}` }],
    };
  return validateAgainst<Resource>(schema, doc);
}
