// Schema defaults applied to a document: TypeBox's Value.Default (0.34), except that each property of
// an object is visited once. Value.Default visits every property twice (once to see whether it comes
// out undefined, then again to store it), so its work doubles at every level of nesting: ~3 ms of a
// CLI render, ten times what this takes (docs/cli.md). Defaults are idempotent, so the second visit
// changed nothing; defaults.test.ts compares the two on every example, good case and bad-input
// document. Unions (a few small ones in the CRDs) and kinds the CRDs do not use go to Value.Default.
import { Kind, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

type Fields = Record<string, unknown>;
const isObject = (value: unknown): value is Fields => value !== null && typeof value === 'object';
const hasDefault = (schema: unknown): schema is TSchema =>
  isObject(schema) && typeof (schema as TSchema)[Kind] === 'string' && 'default' in schema;

/** The value, or a copy of the schema's default when it is undefined (an object default under it). */
function valueOrDefault(schema: TSchema, value: unknown): unknown {
  const fallback: unknown = 'default' in schema ? schema.default : undefined;
  const copy = typeof fallback === 'function' ? (fallback as () => unknown)() : Value.Clone(fallback);
  if (value === undefined) return copy;
  return isObject(value) && isObject(copy) ? Object.assign(copy, value) : value;
}

/** `value` with the schema's defaults filled in (objects and arrays in it are updated in place). */
export function applyDefaults(schema: TSchema, value: unknown): unknown {
  switch (schema[Kind]) {
    case 'Object': {
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
    case 'Array': {
      const defaulted = Array.isArray(value) ? value : valueOrDefault(schema, value);
      if (!Array.isArray(defaulted)) return defaulted;
      for (let i = 0; i < defaulted.length; i++)
        defaulted[i] = applyDefaults(schema.items as TSchema, defaulted[i]);
      return defaulted;
    }
    case 'Record': {
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
    case 'Date':
    case 'Import':
    case 'Intersect':
    case 'Ref':
    case 'This':
    case 'Tuple':
    case 'Union':
      return Value.Default(schema, value);
    default:
      return valueOrDefault(schema, value);
  }
}
