// Validation without TypeBox at run time, for the CLI: `render` starts without loading TypeBox's ~250
// modules (ADR 17). TypeBox's own compiled checks, and the part of each schema that defaults, unknown
// fields and CEL rules need, are generated ahead of time (schemas.generated.ts, `npm run gen:schemas`).
// This only tells a valid document, with its defaults applied, from one that is not; the errors of
// one that is not come from schema-check.ts's validateResource, which loads TypeBox.
// test/api/quick-check.test.ts compares the two.
import { celErrors, unknownFields } from './cel.ts';
import { defaultedCopy } from './defaults.ts';
import type { Resource } from './schema-check.ts';
import { CHECKS, SCHEMAS } from './schemas.generated.ts';

type Node = Parameters<typeof unknownFields>[0];

/** The document with its defaults applied, as validateResource gives it, when it is valid; else undefined. */
export function quickValidate(doc: unknown): Resource | undefined {
  const kind = (doc as { kind?: unknown } | null)?.kind;
  if (kind !== 'NatsCluster' && kind !== 'NatsAccount' && kind !== 'NatsUser') return undefined;
  const schema = SCHEMAS[kind];
  const value = defaultedCopy(schema, doc) as { spec?: unknown };
  const spec = (schema.properties as Record<string, Node>).spec!;
  if (unknownFields(spec, value.spec, 'spec').length) return undefined;
  if (!CHECKS[kind](value)) return undefined;
  if (celErrors(spec, value.spec, 'spec').length) return undefined;
  return value as Resource;
}
