// applyDefaults must fill in exactly what TypeBox's Value.Default fills in: compared on every example,
// every good case and every bad-input document (whose values are often of the wrong type), and on
// variants of each with one field at a time removed, so that every default is taken at every depth.
import { describe, expect, test } from '@jest/globals';
import { Kind, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { knownDocuments, withoutEachField } from '../../test/fixtures/document-variants.ts';
import { applyDefaults, shapeOf } from './defaults.ts';
import { NatsAccount, NatsCluster, NatsUser } from './index.ts';

const SCHEMAS: Record<string, TSchema> = { NatsCluster, NatsAccount, NatsUser };

const documents = knownDocuments();

describe('schema defaults', () => {
  test('the documents compared cover every kind', () => {
    expect(new Set(documents.map((d) => d.kind))).toEqual(new Set(Object.keys(SCHEMAS)));
  });

  test('a schema applyDefaults takes for a leaf has no default below it', () => {
    // What makes keeping such a value as it is exact (applyDefaults needs no Value.Default).
    const leavesWithDefaultsBelow: string[] = [];
    const hasDefaultBelow = (node: unknown): boolean =>
      node !== null &&
      typeof node === 'object' &&
      Object.values(node).some(
        (child) =>
          (child !== null && typeof child === 'object' && 'default' in child) || hasDefaultBelow(child),
      );
    const visit = (node: unknown, path: string): void => {
      if (node === null || typeof node !== 'object') return;
      if (Kind in node && shapeOf(node as TSchema) === 'leaf' && hasDefaultBelow(node))
        leavesWithDefaultsBelow.push(`${path} (${String((node as TSchema)[Kind])})`);
      for (const [key, child] of Object.entries(node)) visit(child, `${path}.${key}`);
    };
    for (const [name, schema] of Object.entries(SCHEMAS)) visit(schema, name);
    expect(leavesWithDefaultsBelow).toEqual([]);
    // The check can fail: a union with a defaulted member is found.
    const union = { [Kind]: 'Union', anyOf: [{ [Kind]: 'String', type: 'string', default: 'x' }] };
    expect(shapeOf(union as unknown as TSchema)).toBe('leaf');
    expect(hasDefaultBelow(union)).toBe(true);
  });

  test('the shapes are TypeBox’s kinds: Object, Record and Array, all else a leaf', () => {
    const kinds = new Map<string, Set<string>>();
    const visit = (node: unknown): void => {
      if (node === null || typeof node !== 'object') return;
      if (Kind in node) {
        const shape = shapeOf(node as TSchema);
        kinds.set(shape, (kinds.get(shape) ?? new Set()).add(String((node as TSchema)[Kind])));
      }
      Object.values(node).forEach(visit);
    };
    Object.values(SCHEMAS).forEach(visit);
    expect(kinds.get('object')).toEqual(new Set(['Object']));
    expect(kinds.get('record')).toEqual(new Set(['Record']));
    expect(kinds.get('array')).toEqual(new Set(['Array']));
    expect([...kinds.get('leaf')!].filter((k) => ['Object', 'Record', 'Array'].includes(k))).toEqual([]);
  });

  test.each(documents.map((doc, i) => [`${i} ${doc.kind}`, doc] as const))(
    'document %s: what Value.Default gives, with every field left out in turn',
    (_name, doc) => {
      const schema = SCHEMAS[doc.kind]!;
      for (const variant of withoutEachField(doc)) {
        const expected = Value.Default(schema, structuredClone(variant));
        expect(applyDefaults(schema, structuredClone(variant))).toEqual(expected);
      }
    },
  );
});
