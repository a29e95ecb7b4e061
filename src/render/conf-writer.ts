// The nats.conf writer. nats-server's config language is close to JSON but not quite (includes,
// $VARIABLE references, unquoted keys, different escapes), and no maintained library writes it, so
// this small deterministic writer does: the same tree always gives the same bytes, and every string
// reads back exactly as given (proven against nats-server's own parser in
// test/servers/conf-writer-roundtrip.test.ts). What nats.conf cannot express is refused with a
// RenderError naming the place and the value, never written approximately.
//
// The rules come from nats-server's lexer (conf/lex.go, v2.15.2):
// - A double-quoted value knows only the escapes \t \n \r \" \\ and \xHH (one byte). JSON's \b, \f
//   and \uXXXX are errors there, so control characters are written as \xHH. A raw NUL would read as
//   the end of the input, so it must be escaped too. Everything else (`$`, `#`, `//`, brackets,
//   separators, "true", "10s", "1k", "include ...", unicode) is plain text inside quotes.
// - A quoted key or include path knows no escapes at all: it runs to the next quote of its kind.
//   So it is written in double quotes, or in single quotes when it holds a double quote, or (keys
//   only) bare when it holds both and a bare key can carry it; anything else is refused.
// - A lone UTF-16 surrogate is not Unicode text and has no UTF-8 form: refused.
import { RenderError } from './render-error.ts';

/** `$NAME`: a reference nats-server resolves from the environment at start-up. */
export class ConfVariable {
  readonly variable: string;
  constructor(name: string) {
    this.variable = name;
  }
}
/** `include <path>`: merges another file at this place; paths are relative to the including file. */
export class ConfInclude {
  readonly include: string;
  constructor(path: string) {
    this.include = path;
  }
}
export type ConfScalar = string | number | boolean | ConfVariable;
export type ConfValue = ConfScalar | ConfValue[] | ConfBlock;
/** A block's entries in the order written; `undefined` values are skipped so optional settings read naturally. */
export type ConfBlock = { [key: string]: ConfValue | ConfInclude | undefined };

// Classes, not shapes: a block whose keys happen to be `variable` or `include` (an account named
// "include") is still a block.
export const variable = (name: string): ConfVariable => new ConfVariable(name);
export const include = (path: string): ConfInclude => new ConfInclude(path);

/** Keys that need no quotes; anything else (e.g. an nkey, a subject with dots) is quoted. */
const BARE_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `include` then a space is the include keyword in any case; as a key it is quoted, so it never reads as one. */
const KEYWORD = /^include$/i;
/** What an environment variable name may be; anything else would end the bare `$NAME` early. */
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * UTF-16 code units without a partner (not text, no UTF-8 form) are what isWellFormed() finds: the
 * same as testing /\p{Surrogate}/u, without compiling that Unicode class on every start of the CLI.
 */
const hasLoneSurrogate = (text: string) => !text.isWellFormed();
/**
 * What ends a bare key, or starts something else where a key is expected: whitespace (Go's
 * unicode.IsSpace), `:` and `=`, NUL (the lexer's end of input); a leading quote, bracket, `#` or
 * `/` (comments, and a lone leading `/` is dropped or refused).
 */
const NOT_BARE =
  /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000:=\0]|^["'{}[\]#/]/;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\0-\x1f\x7f]/g;
const ESCAPES: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** Where in the tree a value is, for error messages: `accounts."my-app".users[0].user`. */
type Path = string;
const keyPath = (parent: Path, key: string): Path =>
  (parent ? parent + '.' : '') + (BARE_KEY.test(key) ? key : JSON.stringify(key));

function refuse(path: Path, what: string, value: string, why: string): never {
  throw new RenderError(
    path || '(top level)',
    `nats.conf cannot hold the ${what} ${JSON.stringify(value)}: ${why}`,
  );
}

/** A double-quoted value: every string except one with a lone surrogate. */
function quoteValue(text: string, path: Path): string {
  if (hasLoneSurrogate(text))
    refuse(path, 'string', text, 'it holds a lone UTF-16 surrogate, which is not Unicode text');
  const escaped = text
    .replace(/[\\"]/g, (c) => '\\' + c)
    .replace(CONTROL, (c) => ESCAPES[c] ?? '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0'));
  return `"${escaped}"`;
}

/** A key or include path: quoted verbatim (nats-server reads no escapes there), or bare. */
function quoteVerbatim(text: string, what: 'key' | 'include path', path: Path): string {
  if (hasLoneSurrogate(text))
    refuse(path, what, text, 'it holds a lone UTF-16 surrogate, which is not Unicode text');
  if (text.includes('\0'))
    refuse(path, what, text, "a NUL character ends nats-server's input and cannot be escaped here");
  if (!text.includes('"')) return `"${text}"`;
  if (!text.includes("'")) return `'${text}'`;
  if (what === 'key' && !NOT_BARE.test(text)) return text;
  return refuse(
    path,
    what,
    text,
    `it holds both quote characters, and nats-server reads no escapes in ${what}s`,
  );
}

function writeKey(key: string, path: Path): string {
  return BARE_KEY.test(key) && !KEYWORD.test(key) ? key : quoteVerbatim(key, 'key', path);
}

function writeNumber(value: number, path: Path): string {
  const text = String(value);
  // Integers must be exact (nats-server reads int64); fractions must be plain decimals, since
  // "1e-7" reads back as a string and "1e21" as a string too.
  if (Number.isInteger(value) ? Number.isSafeInteger(value) : /^-?\d+\.\d+$/.test(text)) return text;
  return refuse(path, 'number', text, 'only exact integers and plain decimals read back as numbers');
}

function writeScalar(value: ConfScalar, path: Path): string {
  if (value instanceof ConfVariable) {
    if (!VARIABLE_NAME.test(value.variable))
      refuse(
        path,
        'variable name',
        value.variable,
        'a $variable must be a letter or _ then letters, digits or _',
      );
    return `$${value.variable}`;
  }
  if (typeof value === 'string') return quoteValue(value, path);
  if (typeof value === 'number') return writeNumber(value, path);
  return value ? 'true' : 'false';
}

function writeValue(value: ConfValue, indent: string, path: Path): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inner = indent + '  ';
    const items = value.map((item, i) => inner + writeValue(item, inner, `${path}[${i}]`));
    return `[\n${items.join('\n')}\n${indent}]`;
  }
  if (typeof value === 'object' && !(value instanceof ConfVariable)) {
    const body = writeEntries(value, indent + '  ', path);
    return body ? `{\n${body}\n${indent}}` : '{}';
  }
  return writeScalar(value, path);
}

function writeEntries(block: ConfBlock, indent: string, path: Path): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(block)) {
    if (value === undefined) continue;
    const at = keyPath(path, key);
    if (value instanceof ConfInclude) {
      lines.push(`${indent}include ${quoteVerbatim(value.include, 'include path', at)}`);
      continue;
    }
    lines.push(`${indent}${writeKey(key, at)}: ${writeValue(value, indent, at)}`);
  }
  return lines.join('\n');
}

/** Writes a whole file: a header comment, then the top-level block's entries. */
export function writeNatsConf(block: ConfBlock, header: string[] = []): string {
  for (const line of header)
    if (/[\0\n\r]/.test(line)) refuse('(header)', 'comment line', line, 'a comment ends at a line break');
  const comments = header.map((line) => `# ${line}`.trimEnd());
  return [...comments, ...(comments.length ? [''] : []), writeEntries(block, '', ''), ''].join('\n');
}
