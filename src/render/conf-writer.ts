// The nats.conf writer. nats-server's config language is close to JSON but not quite (includes,
// $VARIABLE references, unquoted keys), and no maintained library writes it, so this small
// deterministic writer does: the same tree always gives the same bytes.

/** `$NAME`: a reference nats-server resolves from the environment at start-up. */
export interface ConfVariable {
  readonly variable: string;
}
/** `include <path>`: merges another file at this place; paths are relative to the including file. */
export interface ConfInclude {
  readonly include: string;
}
export type ConfScalar = string | number | boolean | ConfVariable;
export type ConfValue = ConfScalar | ConfValue[] | ConfBlock;
/** A block's entries in the order written; `undefined` values are skipped so optional settings read naturally. */
export type ConfBlock = { [key: string]: ConfValue | ConfInclude | undefined };

export const variable = (name: string): ConfVariable => ({ variable: name });
export const include = (path: string): ConfInclude => ({ include: path });

const isVariable = (value: unknown): value is ConfVariable =>
  typeof value === 'object' && value !== null && 'variable' in value;
const isInclude = (value: unknown): value is ConfInclude =>
  typeof value === 'object' && value !== null && 'include' in value;

/** Keys that need no quotes; anything else (e.g. an nkey, a subject with dots) is quoted. */
const BARE_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

function quote(text: string): string {
  return JSON.stringify(text);
}

function writeScalar(value: ConfScalar): string {
  if (isVariable(value)) return `$${value.variable}`;
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`nats.conf cannot hold the number ${value}`);
    return String(value);
  }
  return value ? 'true' : 'false';
}

function writeValue(value: ConfValue, indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inner = indent + '  ';
    return `[\n${value.map((item) => inner + writeValue(item, inner)).join('\n')}\n${indent}]`;
  }
  if (typeof value === 'object' && !isVariable(value)) {
    const body = writeEntries(value, indent + '  ');
    return body ? `{\n${body}\n${indent}}` : '{}';
  }
  return writeScalar(value);
}

function writeEntries(block: ConfBlock, indent: string): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(block)) {
    if (value === undefined) continue;
    if (isInclude(value)) {
      lines.push(`${indent}include ${quote(value.include)}`);
      continue;
    }
    const name = BARE_KEY.test(key) ? key : quote(key);
    lines.push(`${indent}${name}: ${writeValue(value, indent)}`);
  }
  return lines.join('\n');
}

/** Writes a whole file: a header comment, then the top-level block's entries. */
export function writeNatsConf(block: ConfBlock, header: string[] = []): string {
  const comments = header.map((line) => `# ${line}`.trimEnd());
  return [...comments, ...(comments.length ? [''] : []), writeEntries(block, ''), ''].join('\n');
}
