// Schema defaults applied to a document: what TypeBox's Value.Default (0.34) fills in, except that each
// property of an object is visited once. Value.Default visits every property twice (once to see
// whether it comes out undefined, then again to store it), so its work doubles at every level of
// nesting: ~3 ms of a CLI render, ten times what this takes (docs/cli.md). Defaults are idempotent, so
// the second visit changed nothing; defaults.test.ts compares the two on every example, good case and
// bad-input document. No TypeBox at run time (the CLI starts without it): a schema is walked by its
// JSON Schema shape, which TypeBox's schemas and the generated ones (schemas.generated.ts, plain
// JSON) share, and what is not walked (a union of literals in a condition's status) has no default
// below it anywhere in the CRDs, which defaults.test.ts checks, so its value is kept as it is.
import type { TSchema } from '@sinclair/typebox';

type Fields = Record<string, unknown>;
const isObject = (value: unknown): value is Fields => value !== null && typeof value === 'object';
const hasDefault = (schema: unknown): schema is TSchema => isObject(schema) && 'default' in schema;

/** How applyDefaults walks a schema: TypeBox's Object, Record and Array by their JSON Schema shape. */
export function shapeOf(schema: TSchema): 'object' | 'record' | 'array' | 'leaf' {
  if (schema.type === 'object')
    return isObject(schema.properties) ? 'object' : isObject(schema.patternProperties) ? 'record' : 'leaf';
  return schema.type === 'array' && isObject(schema.items) ? 'array' : 'leaf';
}

/** The value, or a copy of the schema's default when it is undefined (an object default under it). */
function valueOrDefault(schema: TSchema, value: unknown): unknown {
  const fallback: unknown = 'default' in schema ? schema.default : undefined;
  // Defaults are JSON (the CRDs carry them): a JSON copy is a deep copy.
  const copy =
    typeof fallback === 'function'
      ? (fallback as () => unknown)()
      : fallback === undefined
        ? undefined
        : (JSON.parse(JSON.stringify(fallback)) as unknown);
  if (value === undefined) return copy;
  return isObject(value) && isObject(copy) ? Object.assign(copy, value) : value;
}

/** `value` with the schema's defaults filled in (objects and arrays in it are updated in place). */
export function applyDefaults(schema: TSchema, value: unknown): unknown {
  switch (shapeOf(schema)) {
    case 'object': {
      const defaulted = valueOrDefault(schema, value);
      if (!isObject(defaulted)) return defaulted;
      const properties = schema.properties as Record<string, TSchema>;
      const known = Object.getOwnPropertyNames(properties);
      for (const key of known) {
        const property = applyDefaults(properties[key]!, defaulted[key]);
        if (property !== undefined) defaulted[key] = property;
      }
      const additional: unknown = schema.additionalProperties;
      if (!hasDefault(additional)) return defaulted;
      for (const key of Object.getOwnPropertyNames(defaulted))
        if (!known.includes(key)) defaulted[key] = applyDefaults(additional, defaulted[key]);
      return defaulted;
    }
    case 'array': {
      const defaulted = Array.isArray(value) ? value : valueOrDefault(schema, value);
      if (!Array.isArray(defaulted)) return defaulted;
      for (let i = 0; i < defaulted.length; i++)
        defaulted[i] = applyDefaults(schema.items as TSchema, defaulted[i]);
      return defaulted;
    }
    case 'record': {
      const defaulted = valueOrDefault(schema, value);
      if (!isObject(defaulted)) return defaulted;
      const [pattern, property] = Object.entries(schema.patternProperties as Record<string, TSchema>)[0]!;
      const knownKey = new RegExp(pattern);
      for (const key of Object.getOwnPropertyNames(defaulted))
        if (knownKey.test(key) && hasDefault(property))
          defaulted[key] = applyDefaults(property, defaulted[key]);
      const additional: unknown = schema.additionalProperties;
      if (!hasDefault(additional)) return defaulted;
      for (const key of Object.getOwnPropertyNames(defaulted))
        if (!knownKey.test(key)) defaulted[key] = applyDefaults(additional, defaulted[key]);
      return defaulted;
    }
    case 'leaf':
      // A string, number, literal... takes its own default; nothing below it has one (defaults.test.ts).
      return valueOrDefault(schema, value);
  }
}

/**
 * A copy of `doc` with the schema's defaults filled in. JSON, not structuredClone: plain objects of
 * this realm only (under Jest the latter builds another's).
 */
export const defaultedCopy = (schema: TSchema, doc: unknown): unknown =>
  applyDefaults(schema, JSON.parse(JSON.stringify(doc ?? null)));
