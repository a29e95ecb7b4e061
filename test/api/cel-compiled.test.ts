// The CEL rules run compiled into JavaScript (scripts/gen-cel-rules.ts). Here the compiled file must be
// what the generator writes from today's schemas, and every compiled rule must give what cel-js gives
// (true, false, or an error) on every value the bad-input table, the good cases and the examples put
// under it, and on variants of each with one field removed or one flag flipped.
import { describe, expect, test } from '@jest/globals';
import { Environment } from '@marcbachmann/cel-js';
import { Value } from '@sinclair/typebox/value';
import { readFileSync } from 'node:fs';
import { NatsAccount, NatsCluster, NatsUser } from '../../src/api/index.ts';
import { celErrors } from '../../src/api/cel.ts';
import { COMPILED_CEL_RULES } from '../../src/api/cel-rules.generated.ts';
import { QUANTITY_PATTERN, type CelRule } from '../../src/api/common.ts';
import { quantityToBytes } from '../../src/render/units.ts';
import {
  compiledRulesSource,
  compileRule,
  GENERATED_FILE,
  offlineRules,
} from '../../scripts/gen-cel-rules.ts';
import { exampleDocuments } from '../fixtures/examples.ts';
import { BAD_CASES, GOOD_CASES } from './bad-input-cases.ts';

/** cel-js set up as src/api/cel.ts evaluated the rules before they were compiled. */
class Quantity {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}
const QUANTITY = new RegExp(QUANTITY_PATTERN);
const cel = new Environment({ unlistedVariablesAreDyn: true })
  .registerType('Quantity', Quantity)
  .registerFunction('quantity(string): Quantity', (text: string) => {
    if (!QUANTITY.test(text)) throw new Error(`invalid quantity ${JSON.stringify(text)}`);
    return new Quantity(quantityToBytes(text));
  })
  .registerFunction({
    name: 'compareTo',
    receiverType: 'Quantity',
    returnType: 'int',
    handler: (a: Quantity, b: Quantity) => BigInt(Math.sign(a.value - b.value)),
    params: [{ name: 'other', type: 'Quantity' }],
  });

const outcome = (run: () => unknown): unknown => {
  try {
    return run();
  } catch {
    return 'error';
  }
};

type Node = { properties?: Record<string, Node>; items?: Node; 'x-kubernetes-validations'?: CelRule[] };
const SCHEMAS: Record<string, Node> = { NatsCluster, NatsAccount, NatsUser } as never;

/** [rule, self] for every rule node a document reaches, as celErrors walks it. */
function ruleInputs(schema: Node, value: unknown, into: [string, unknown][] = []): [string, unknown][] {
  if (value === undefined || value === null) return into;
  for (const { rule } of schema['x-kubernetes-validations'] ?? [])
    if (!rule.includes('oldSelf')) into.push([rule, value]);
  if (schema.properties && typeof value === 'object' && !Array.isArray(value))
    for (const [key, child] of Object.entries(schema.properties))
      ruleInputs(child, (value as Record<string, unknown>)[key], into);
  if (schema.items && Array.isArray(value))
    value.forEach((item) => ruleInputs(schema.items as Node, item, into));
  return into;
}

/** The value itself, and one variant per field: without it, or with a flag flipped. */
function variants(value: unknown): unknown[] {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return [value];
  const object = value as Record<string, unknown>;
  return [
    object,
    ...Object.keys(object).map((key) =>
      Object.fromEntries(Object.entries(object).filter(([k]) => k !== key)),
    ),
    ...Object.keys(object)
      .filter((key) => typeof object[key] === 'boolean')
      .map((key) => ({ ...object, [key]: !object[key] })),
  ];
}

/** What the tables above never show: a jwtExpiry on a user, of every authType. */
const userWithExpiry = (authType: string, jwtExpiry: string) => ({
  kind: 'NatsUser',
  spec: { accountRef: { name: 'a' }, authType, jwtExpiry },
});

const documents = [
  ...BAD_CASES.map((c) => c.doc),
  ...['Password', 'Certificate', 'Creds'].flatMap((type) =>
    ['30m', '1h', '87600h', '87601h'].map((expiry) => userWithExpiry(type, expiry)),
  ),
  ...GOOD_CASES,
  ...exampleDocuments(),
] as { kind: string }[];

const inputs = documents.flatMap((doc) => {
  const schema = SCHEMAS[doc.kind];
  if (!schema) return [];
  const withDefaults = Value.Default(schema as never, JSON.parse(JSON.stringify(doc))) as { spec?: unknown };
  return ruleInputs(schema.properties?.spec as Node, withDefaults.spec).flatMap(([rule, self]) =>
    variants(self).map((v) => [rule, v] as const),
  );
});

describe('CEL rules compiled ahead of time', () => {
  test('the compiled file is what `npm run gen:cel` writes from the schemas', async () => {
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(await compiledRulesSource());
    expect(Object.keys(COMPILED_CEL_RULES).sort()).toEqual(offlineRules());
    expect(offlineRules().length).toBeGreaterThan(20);
  });

  test.each(offlineRules())('%s gives what cel-js gives', (rule) => {
    const selves = inputs.filter(([r]) => r === rule).map(([, self]) => self);
    const compiled = COMPILED_CEL_RULES[rule]!;
    const outcomes = selves.map((self) => {
      const expected = outcome(() => cel.evaluate(rule, { self }));
      expect({ self, outcome: outcome(() => compiled(self)) }).toEqual({ self, outcome: expected });
      return expected;
    });
    // The table reaches each rule both passing and failing, else this comparison would prove little.
    expect(outcomes).toContain(true);
    expect(outcomes.some((o) => o !== true)).toBe(true);
  });

  test('syntax the compiler does not know stops the generator', () => {
    expect(() => compileRule('self.items.all(i, i > 0)')).toThrow(/does not know/);
    expect(() => compileRule("self.name.startsWith('a')")).toThrow(/does not know/);
  });

  test('a rule that was not compiled fails the document (the test above keeps the file current)', () => {
    const schema = { 'x-kubernetes-validations': [{ rule: 'self.x == 1', message: 'x must be 1' }] };
    expect(celErrors(schema, { x: 1 }, 'spec')).toEqual([{ path: 'spec', message: 'x must be 1' }]);
  });
});
