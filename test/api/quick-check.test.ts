// `render` validates without TypeBox (src/api/quick-check.ts): TypeBox's own compiled checks and the part
// of each schema the walkers beside them read, written by `npm run gen:schemas` (scripts/gen-schemas.ts).
// Here the generated file must be what the generator writes from today's schemas, its checks must
// answer what Value.Check answers, the walkers must read of its schemas what they read of TypeBox's,
// and quickValidate must pass exactly what validateResource passes, with the same defaults: on every
// document the tests know and on variants of each (a field left out, a leaf of another type).
import { describe, expect, test } from '@jest/globals';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { readFileSync } from 'node:fs';
import { celErrors, unknownFields } from '../../src/api/cel.ts';
import { applyDefaults } from '../../src/api/defaults.ts';
import { NatsAccount, NatsCluster, NatsUser, validateResource } from '../../src/api/index.ts';
import { quickValidate } from '../../src/api/quick-check.ts';
import { CHECKS, SCHEMAS } from '../../src/api/schemas.generated.ts';
import { GENERATED_FILE, schemasSource, withStandardKinds } from '../../scripts/gen-schemas.ts';
import { knownDocuments, withEachLeafMistyped, withoutEachField } from '../fixtures/document-variants.ts';

const TYPEBOX: Record<keyof typeof SCHEMAS, TSchema> = { NatsCluster, NatsAccount, NatsUser };
type Kind = keyof typeof SCHEMAS;

const documents = knownDocuments();
const variants = documents.flatMap((doc) => [...withoutEachField(doc), ...withEachLeafMistyped(doc)]);

describe('validation without TypeBox', () => {
  test('the generated file is what `npm run gen:schemas` writes from the schemas', async () => {
    expect(readFileSync(GENERATED_FILE, 'utf8')).toBe(await schemasSource());
  });

  test('the walkers read of the generated schemas what they read of TypeBox’s', () => {
    // Defaults, unknown fields and CEL rules, on every document: the part of each schema kept for
    // them (scripts/gen-schemas.ts walkedPart) holds all they read.
    for (const variant of variants) {
      const kind = (variant as { kind: Kind }).kind;
      if (!(kind in SCHEMAS)) continue;
      const [generated, typebox] = [SCHEMAS[kind], TYPEBOX[kind]].map((schema) => {
        const value = applyDefaults(schema, structuredClone(variant)) as { spec?: unknown };
        const spec = (schema.properties as Record<string, Parameters<typeof unknownFields>[0]>).spec!;
        return [value, unknownFields(spec, value.spec, 'spec'), celErrors(spec, value.spec, 'spec')];
      });
      expect(generated).toEqual(typebox);
    }
    expect(JSON.stringify(SCHEMAS)).not.toContain('"pattern"');
  });

  test('the documents compared cover every kind, valid and not', () => {
    expect(new Set(documents.map((d) => d.kind))).toEqual(new Set(Object.keys(SCHEMAS)));
    const passed = variants.map((v) => validateResource(v).ok);
    expect(passed).toContain(true);
    expect(passed).toContain(false);
  });

  test('each compiled check answers what Value.Check answers, on every document with its defaults', () => {
    let compared = 0;
    for (const variant of variants) {
      const kind = (variant as { kind: Kind }).kind;
      if (!(kind in SCHEMAS)) continue;
      const value = applyDefaults(SCHEMAS[kind], structuredClone(variant));
      expect([kind, CHECKS[kind](value)]).toEqual([kind, Value.Check(TYPEBOX[kind], value)]);
      compared++;
    }
    expect(compared).toBeGreaterThan(1000);
  });

  test('quickValidate passes exactly what validateResource passes, with the same value', () => {
    for (const variant of variants) {
      const full = validateResource(variant);
      const quick = quickValidate(variant);
      if (full.ok) expect(quick).toEqual(full.value);
      else expect([quick, full.errors]).toEqual([undefined, full.errors]);
    }
  });

  test('custom kinds become standard ones that check the same', () => {
    const { Kind } = { Kind: Symbol.for('TypeBox.Kind') };
    const schema = { [Kind]: 'StringEnum', type: 'string', enum: ['a', 'b'] };
    const standard = withStandardKinds(schema) as TSchema;
    for (const value of ['a', 'b', 'c', 1, null, undefined])
      expect([value, Value.Check(standard, value)]).toEqual([value, value === 'a' || value === 'b']);
    const passThrough = withStandardKinds({ [Kind]: 'PassThrough', type: 'object' }) as TSchema;
    for (const value of [{}, { x: 1 }, [], null, 'x'])
      expect([value, Value.Check(passThrough, value)]).toEqual([
        value,
        typeof value === 'object' && value !== null && !Array.isArray(value),
      ]);
  });
});
