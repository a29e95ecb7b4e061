// Offline evaluation of the same CEL rules the CRDs carry (x-kubernetes-validations), so
// `nats-warden render` rejects what the API server would, naming the same field. The rules run
// compiled ahead of time into JavaScript (scripts/gen-cel-rules.ts), not through a CEL interpreter.
// Transition rules (those that read oldSelf) need the stored object and are left to the API server.
import type { FieldError } from './schema-check.ts';
import type { CelRule } from './common.ts';
import { COMPILED_CEL_RULES } from './cel-rules.generated.ts';

/** A rule compiled ahead of time (`npm run gen:cel`); one that is not fails. */
function evaluate(rule: string, self: unknown): unknown {
  const compiled = COMPILED_CEL_RULES[rule];
  if (!compiled) throw new Error(`the rule is not compiled: run npm run gen:cel (${rule})`);
  return compiled(self);
}

type Node = { properties?: Record<string, Node>; items?: Node; 'x-kubernetes-validations'?: CelRule[] };

const join = (path: string, field: string) =>
  path ? `${path}${field.startsWith('[') ? '' : '.'}${field.replace(/^\./, '')}` : field.replace(/^\./, '');

export function celErrors(schema: Node, value: unknown, path: string): FieldError[] {
  if (value === undefined || value === null) return [];
  const errors: FieldError[] = [];
  for (const rule of schema['x-kubernetes-validations'] ?? []) {
    if (rule.rule.includes('oldSelf')) continue;
    let ok: unknown;
    try {
      ok = evaluate(rule.rule, value);
    } catch (error) {
      ok = `${(error as Error).message}`;
    }
    if (ok !== true)
      errors.push({ path: rule.fieldPath ? join(path, rule.fieldPath) : path, message: rule.message });
  }
  if (schema.properties && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(schema.properties))
      errors.push(...celErrors(child, (value as Record<string, unknown>)[key], join(path, key)));
  }
  if (schema.items && Array.isArray(value))
    value.forEach((item, i) => errors.push(...celErrors(schema.items as Node, item, `${path}[${i}]`)));
  return errors;
}

/** Fields the schema does not know: kubectl's strict field validation rejects them too. */
export function unknownFields(
  schema: Node & { 'x-kubernetes-preserve-unknown-fields'?: boolean },
  value: unknown,
  path: string,
): FieldError[] {
  if (!value || typeof value !== 'object' || schema['x-kubernetes-preserve-unknown-fields']) return [];
  if (Array.isArray(value))
    return schema.items
      ? value.flatMap((item, i) => unknownFields(schema.items as Node, item, `${path}[${i}]`))
      : [];
  if (!schema.properties) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => {
    const sub = schema.properties?.[key];
    return sub
      ? unknownFields(sub, child, join(path, key))
      : [{ path: join(path, key), message: 'unknown field' }];
  });
}
