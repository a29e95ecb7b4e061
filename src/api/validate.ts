// Validation of a user's document against the schema, with defaults applied the way the API server
// applies them. Every error names the field path, e.g. `spec.tls.client.minVersion`.
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
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
  const value = Value.Default(schema, structuredClone(doc));
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const error of Value.Errors(schema, value)) {
    const path = toFieldPath(error.path);
    if (seen.has(path)) continue; // one message per field: the first is the most specific
    seen.add(path);
    errors.push({ path, message: error.message });
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: value as T };
}

/** Validates a document of one of the three kinds, chosen by its `kind`. */
export function validateResource(doc: unknown): Validated<Resource> {
  const kind = (doc as { kind?: unknown } | null)?.kind;
  const schema = typeof kind === 'string' ? schemas[kind as Resource['kind']] : undefined;
  if (!schema) return { ok: false, errors: [{ path: 'kind', message: `must be one of ${Object.keys(schemas).join(', ')}` }] };
  return validateAgainst<Resource>(schema, doc);
}
