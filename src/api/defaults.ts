// Schema defaults applied to a document: what TypeBox's Value.Default (0.34) fills in, except that each
// property of an object is visited once. Value.Default visits every property twice (once to see
// whether it comes out undefined, then again to store it), so its work doubles at every level of
// nesting: ~3 ms of a CLI render, ten times what this takes (docs/cli.md). Defaults are idempotent, so
// the second visit changed nothing; defaults.test.ts compares the two on every example, good case and
// bad-input document. No TypeBox at run time (the CLI starts without it): the schema's kind is read
// from TypeBox's registered symbol, and kinds this does not walk (a union of literals in a condition's
// status) carry no default anywhere in the CRDs, which defaults.test.ts checks, so they keep the value.
import type { TSchema } from '@sinclair/typebox';

/** TypeBox's `Kind` (Symbol.for, so the same symbol without importing TypeBox). */
const Kind: symbol = Symbol.for('TypeBox.Kind');
/** The kinds applyDefaults walks into; any other kind's value is kept as it is. */
export const WALKED_KINDS = ['Object', 'Array', 'Record'];

type Fields = Record<string | symbol, unknown>;
const isObject = (value: unknown): value is Fields => value !== null && typeof value === 'object';
const hasDefault = (schema: unknown): schema is TSchema =>
  isObject(schema) && typeof (schema as Fields)[Kind] === 'string' && 'default' in schema;

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
  switch ((schema as unknown as Fields)[Kind]) {
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
    default:
      // A leaf (string, number, literal...) takes its own default; what applyDefaults does not walk
      // into has none below it (defaults.test.ts).
      return valueOrDefault(schema, value);
  }
}
