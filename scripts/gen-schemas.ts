// `npm run gen:schemas`: writes src/api/schemas.generated.ts: TypeBox's own compiled check of each of
// the three kinds (TypeCompiler.Code) and, as JSON, the part of each schema that defaults, unknown
// fields and the CEL rules need, so that `render` passes a valid document without loading TypeBox:
// its ~250 modules were a quarter of a start's work, half of it deserializing their code from the
// code cache (ADR 17, docs/cli.md). An invalid document still goes to schema-check.ts, which loads
// TypeBox for the messages. test/api/quick-check.test.ts fails when the file is stale and compares
// the quick path with schema-check.ts on every document the tests know.
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Kind, Type, type TSchema } from '@sinclair/typebox';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { NatsAccount, NatsCluster, NatsUser } from '../src/api/index.ts';
import { toAscii } from './bundle-cli.ts';

export const GENERATED_FILE = join(import.meta.dirname, '..', 'src', 'api', 'schemas.generated.ts');

const KINDS: Record<string, TSchema> = { NatsCluster, NatsAccount, NatsUser };

/** Kept whole for the walkers beside the compiled check: defaults.ts, cel.ts's unknownFields and celErrors. */
const KEPT = ['default', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-validations'];

/**
 * The part of a schema that the walkers beside the compiled check read: its shape, defaults, CEL
 * rules and where unknown fields are kept. The rest (patterns, bounds, enums, descriptions) is the
 * check's, and parsing the whole schemas was ~1.4 ms of a start. As JSON: no TypeBox symbols, which
 * nothing here reads (defaults.ts walks a schema by its JSON shape).
 */
export function walkedPart(schema: unknown): unknown {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (KEPT.includes(key)) out[key] = JSON.parse(JSON.stringify(value));
    else if (key === 'type' && typeof value === 'string') out[key] = value;
    else if (key === 'items' || key === 'additionalProperties') {
      const part = walkedPart(value);
      if (part) out[key] = part;
    } else if (key === 'properties' || key === 'patternProperties')
      out[key] = Object.fromEntries(
        Object.entries(value as object).map(([name, sub]) => [name, walkedPart(sub)]),
      );
  }
  return out;
}

/**
 * The schema with this project's custom kinds (common.ts registers their checks with TypeBox) written
 * as the standard kinds that check the same, so that the compiled code calls no registry: a
 * StringEnum is a union of its literals, a PassThrough any object.
 */
export function withStandardKinds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withStandardKinds);
  if (node === null || typeof node !== 'object') return node;
  const schema = node as TSchema;
  if (schema[Kind] === 'StringEnum') return Type.Union((schema.enum as string[]).map((v) => Type.Literal(v)));
  if (schema[Kind] === 'PassThrough') return Type.Object({});
  const copy: Record<string | symbol, unknown> = {};
  for (const key of Object.keys(schema)) copy[key] = withStandardKinds(schema[key]);
  for (const symbol of Object.getOwnPropertySymbols(schema))
    copy[symbol] = (schema as unknown as Record<symbol, unknown>)[symbol];
  return copy;
}

/**
 * TypeBox's check of one schema, as an expression. Its code is a function body ending in
 * `return function check`, which calls `format` for string formats (TypeCompiler.Compile passes it,
 * with `kind` and `hash`, which these schemas need not).
 */
function check(schema: TSchema): string {
  const code = TypeCompiler.Code(withStandardKinds(schema) as TSchema, [], { language: 'javascript' });
  const external = /\b(kind|hash)\(/.exec(code);
  if (external) throw new Error(`the compiled check calls ${external[1]}(): the generator must handle it`);
  return `(() => {\n${inlinePatterns(code)}\n})()`;
}

/**
 * TypeBox declares every field's pattern up front (`const local_3 = /.../`), so each start made all
 * 70 of them, most for fields a document does not have. Written where they are tested instead, a
 * pattern is made only when a document reaches its field. The same test: none is global or sticky.
 */
export function inlinePatterns(code: string): string {
  const patterns = new Map<string, string>();
  const body = code
    .split('\n')
    .filter((line) => {
      const declared = /^const (local_\d+) = (\/.+\/([a-z]*));?$/.exec(line.trim());
      if (declared && /[gy]/.test(declared[3]!)) throw new Error(`a global or sticky pattern: ${line}`);
      if (declared) patterns.set(declared[1]!, declared[2]!);
      return !declared;
    })
    .join('\n');
  return body.replace(/\blocal_\d+\b/g, (name) => {
    const pattern = patterns.get(name);
    if (!pattern) throw new Error(`TypeBox's check uses ${name}, which is not a pattern`);
    return `(${pattern})`;
  });
}

/** The whole generated file, formatted as Prettier formats the repository. */
export async function schemasSource(): Promise<string> {
  const kinds = Object.entries(KINDS);
  const source = `// Generated by \`npm run gen:schemas\` (scripts/gen-schemas.ts) from the schemas in src/api. Do not edit.
/* eslint-disable */
// @ts-nocheck: TypeBox writes its checks as JavaScript (its TypeScript output does not compile).
import type { TSchema } from '@sinclair/typebox';
import { FORMATS } from './string-rules.ts';

/** What the walkers beside the checks read of each schema (defaults, CEL rules, known fields). */
export const SCHEMAS: Record<${kinds.map(([k]) => JSON.stringify(k)).join(' | ')}, TSchema> = {
${kinds.map(([kind, schema]) => `  ${kind}: JSON.parse(${JSON.stringify(JSON.stringify(walkedPart(schema)))}),`).join('\n')}
};

/** What TypeBox's compiled checks call for a string format (as its FormatRegistry answers). */
const format = (name: string, value: string): boolean => FORMATS[name]?.(value) ?? false;

/** TypeBox's compiled check of each (what Value.Check answers). */
export const CHECKS: Record<keyof typeof SCHEMAS, (value: unknown) => boolean> = {
${kinds.map(([kind, schema]) => `  ${kind}: ${check(schema)},`).join('\n')}
};
`;
  // Non-ASCII characters (in the patterns) escaped: the same regular expressions, an ASCII file.
  return format(toAscii(source), { ...(await resolveConfig(GENERATED_FILE)), filepath: GENERATED_FILE });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(GENERATED_FILE, await schemasSource());
  process.stdout.write(`wrote ${GENERATED_FILE}\n`);
}
