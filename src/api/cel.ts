// Offline evaluation of the same CEL rules the CRDs carry (x-kubernetes-validations), so
// `nats-warden render` rejects what the API server would, naming the same field. Transition rules
// (those that read oldSelf) need the stored object and are left to the API server.
import { Environment } from '@marcbachmann/cel-js';
import type { FieldError } from './schema-check.ts';
import { QUANTITY_PATTERN, type CelRule } from './common.ts';
import { quantityToBytes } from '../render/units.ts';

const QUANTITY = new RegExp(QUANTITY_PATTERN);

/** Kubernetes' CEL quantity library, the part our rules use: quantity(string).compareTo(Quantity). */
class Quantity {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}
function parseQuantity(text: string): Quantity {
  if (!QUANTITY.test(text)) throw new Error(`invalid quantity ${JSON.stringify(text)}`);
  return new Quantity(quantityToBytes(text));
}

const env = new Environment({ unlistedVariablesAreDyn: true })
  .registerType('Quantity', Quantity)
  .registerFunction('quantity(string): Quantity', parseQuantity)
  .registerFunction({
    name: 'compareTo',
    receiverType: 'Quantity',
    returnType: 'int',
    handler: (a: Quantity, b: Quantity) => BigInt(Math.sign(a.value - b.value)),
    params: [{ name: 'other', type: 'Quantity' }],
  });
const evaluate = (rule: string, context: Record<string, unknown>) => env.evaluate(rule, context);

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
      ok = evaluate(rule.rule, { self: value });
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
