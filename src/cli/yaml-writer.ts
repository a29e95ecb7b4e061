// `render`'s YAML output without js-yaml's dump, which was a third of the command's time in a start
// of the CLI (it builds an AST and tries every scalar style on every string, all in cold code).
// This writes the same bytes as `dump(object, { noRefs: true, lineWidth: -1 })` for what the renderer
// produces (plain objects, arrays, strings, integers, booleans, null): the same style rules, in the
// same order, with js-yaml's own regular expressions and its own schema deciding when a string must
// be quoted. Anything else (other numbers, multi-line keys, class instances) goes to js-yaml's dump.
// yaml-writer.test.ts compares the two on every golden output and on strings YAML reads specially.
import {
  dump,
  floatCoreTag,
  floatYaml11Tag,
  intCoreTag,
  intYaml11Tag,
  NOT_RESOLVED,
  YAML11_SCHEMA,
} from 'js-yaml';

/** js-yaml's DUMP_SCHEMA (not exported): a string that would read back as another type is quoted. */
const DUMP_SCHEMA = YAML11_SCHEMA.withTags(
  {
    ...intYaml11Tag,
    resolve: (source, isExplicit, tagName) => {
      const result = intYaml11Tag.resolve(source, isExplicit, tagName);
      return result === NOT_RESOLVED ? intCoreTag.resolve(source, isExplicit, tagName) : result;
    },
  },
  {
    ...floatYaml11Tag,
    resolve: (source, isExplicit, tagName) => {
      const result = floatYaml11Tag.resolve(source, isExplicit, tagName);
      return result === NOT_RESOLVED ? floatCoreTag.resolve(source, isExplicit, tagName) : result;
    },
  },
);
const STRING_TAG = DUMP_SCHEMA.defaultScalarTag.tagName;

// js-yaml's productions of the YAML grammar (src/ast/scalar_styler.ts), copied as they are.
const C_PRINTABLE = '[\\x09\\x0A\\x0D\\x20-\\x7E\\x85\\xA0-\\uD7FF\\uE000-\\uFFFD\\u{10000}-\\u{10FFFF}]';
// C_PRINTABLE's ASCII part. On printable ASCII text the plain-style productions mean the same with it,
// and compile without the Unicode flag, for a fraction of the cost (compiled afresh by every process).
const C_PRINTABLE_ASCII = '[\\x09\\x0A\\x0D\\x20-\\x7E]';
const nbChar = (printable: string) => `(?:(?!(?:[\\n\\r]|\\uFEFF))${printable})`;
const NB_CHAR = nbChar(C_PRINTABLE);
const NB_JSON = '[\\x09\\x20-\\uD7FF\\uE000-\\uFFFF\\u{10000}-\\u{10FFFF}]';
const C_INDICATOR = '[-?:,\\[\\]{}#&*!|>\'"%@`]';

/** The plain style's productions over the printable characters given: a value, and a one-line key. */
function plainStyle(printable: string, flags: string) {
  const NS_CHAR = `(?:(?![ \\t])${nbChar(printable)})`;
  const PLAIN_FIRST = `(?:(?:(?!${C_INDICATOR})${NS_CHAR})|[?:-](?=${NS_CHAR}))`;
  const PLAIN_CHAR = `(?:(?:(?![:#])${NS_CHAR})|:(?=${NS_CHAR}))#*`;
  const PLAIN_IN_LINE = `(?:[ \\t]*${PLAIN_CHAR})*`;
  const PLAIN_ONE_LINE = `${PLAIN_FIRST}#*${PLAIN_IN_LINE}`;
  return {
    value: new RegExp(`^(?:${PLAIN_ONE_LINE}(?:\\n+${PLAIN_CHAR}${PLAIN_IN_LINE})*)$`, flags),
    key: new RegExp(`^(?:${PLAIN_ONE_LINE})$`, flags),
  };
}
/**
 * Made when first asked for: the Unicode expressions are for text beyond printable ASCII (rare), the
 * plain style's ASCII ones for what SURELY_PLAIN does not pass (building them was ~3 M instructions).
 */
const lazily = <T>(make: () => T): (() => T) => {
  let made: T | undefined;
  return () => (made ??= make());
};
const PLAIN = lazily(() => plainStyle(C_PRINTABLE, 'u'));
const PLAIN_ASCII = lazily(() => plainStyle(C_PRINTABLE_ASCII, ''));
const SINGLE_ONE_LINE = lazily(() => new RegExp(`^(?:${NB_JSON})*$`, 'u'));
const SINGLE_MULTI_LINE = lazily(() => new RegExp(`^(?:${NB_JSON}|\\n)*$`, 'u'));
const BLOCK_CONTENT = lazily(() => new RegExp(`^(?:${NB_CHAR}|\\n)*$`, 'u'));
// Shortcuts past the Unicode expressions above (compiled afresh by every process) for the usual text:
// names, paths, words with single spaces can be plain; printable ASCII fits any quoted or block style.
// The characters below are plain-safe anywhere in block context (no indicators among them but `-`, `?`
// and `:`, each allowed where the productions allow it: first only before a safe character, `:` only
// before one anywhere); yaml-writer.test.ts checks on every short string over these characters and
// the indicators that whatever this passes, the plain style's productions pass too.
const SURELY_PLAIN =
  /^(?:[A-Za-z0-9_/$;()=+~]|[-?:](?=[A-Za-z0-9_./$;()=+~?@%!&*-]))(?:[A-Za-z0-9_./$;()=+~?@%!&*-]|:(?=[A-Za-z0-9_./$;()=+~?@%!&*-])| (?! |$))*$/;
const PRINTABLE_ASCII_LINES = /^[\x20-\x7E\n]*$/;
const FORBIDDEN_FIRST_LINE = /^(?:---|\.\.\.)(?=$|[ \t\n\r])/;
const INVISIBLE = /[\t\x7F-\xA0\u2028\u2029\uFEFF\uFFFE\uFFFF]/;
// eslint-disable-next-line no-control-regex -- these are the characters to escape
const TO_ESCAPE = /["\\\x00-\x1F\x7F-\xA0\u2028\u2029\uD800-\uDFFF\uFEFF\uFFFE\uFFFF]/gu;
const ESCAPES: Record<string, string> = {
  '\0': '\\0',
  '\x07': '\\a',
  '\b': '\\b',
  '\t': '\\t',
  '\n': '\\n',
  '\v': '\\v',
  '\f': '\\f',
  '\r': '\\r',
  '\x1B': '\\e',
  '"': '\\"',
  '\\': '\\\\',
  '\x85': '\\N',
  '\xA0': '\\_',
  '\u2028': '\\L',
  '\u2029': '\\P',
};

/** Thrown for what this writer leaves to js-yaml. */
class LeftToJsYaml extends Error {}

const INDENT = 2;
const newLine = (level: number) => `\n${' '.repeat(INDENT * level)}`;

function doubleQuoted(text: string): string {
  return `"${text.replace(TO_ESCAPE, (c) => {
    const escape = ESCAPES[c];
    if (escape) return escape;
    const code = c.charCodeAt(0);
    const hex = code.toString(16).toUpperCase();
    return code <= 255 ? `\\x${hex.padStart(2, '0')}` : `\\u${hex.padStart(4, '0')}`;
  })}"`;
}

function canBePlain(text: string, level: number, isKey: boolean): boolean {
  if (text !== '' && !SURELY_PLAIN.test(text)) {
    const plain = PRINTABLE_ASCII_LINES.test(text) ? PLAIN_ASCII() : PLAIN();
    if (!(isKey ? plain.key : plain.value).test(text)) return false;
  }
  if (level === 0 && FORBIDDEN_FIRST_LINE.test(text)) return false;
  if (DUMP_SCHEMA.resolveImplicitScalarTag(text).tag.tagName !== STRING_TAG) return false;
  return text !== '=';
}

function literalBlock(text: string, level: number): string {
  const shiftOfContent = INDENT * Math.max(1, level);
  const shiftOfParent = level === 0 ? -1 : INDENT * (level - 1);
  const indicator = /^\n* /.test(text) ? String(shiftOfContent - shiftOfParent) : '';
  const endsWithBreak = text.endsWith('\n');
  const chomping = endsWithBreak && (text.endsWith('\n\n') || text === '\n') ? '+' : endsWithBreak ? '' : '-';
  const pad = ' '.repeat(shiftOfContent);
  const body = text.replace(/[^\n]+/g, (line) => pad + line);
  return `|${indicator}${chomping}\n${endsWithBreak ? body.slice(0, -1) : body}`;
}

interface WriterState {
  /** A literal block kept its final line breaks: js-yaml then ends the document with `...`. */
  openEnded: boolean;
  written: WrittenStrings;
}

/**
 * Single-line strings already written, apart at the top level (the one place that changes how such a
 * string is written: key or value, any depth below, it comes out the same). Keys, names and labels
 * repeat throughout render's output, and each was checked again in code too cold to be fast.
 */
export type WrittenStrings = { topLevel: Map<string, string>; below: Map<string, string> };
export const writtenStrings = (): WrittenStrings => ({ topLevel: new Map(), below: new Map() });

/** A string as writeNewString writes it, remembered when it has one line. */
function writeString(state: WriterState, text: string, level: number, isKey: boolean): string {
  if (text.includes('\n')) return writeNewString(state, text, level, isKey);
  const written = level === 0 ? state.written.topLevel : state.written.below;
  let out = written.get(text);
  if (out === undefined) written.set(text, (out = writeNewString(state, text, level, isKey)));
  state.openEnded = false;
  return out;
}

/** js-yaml's scalar style rules, in its order, for a string in block context. */
function writeNewString(state: WriterState, text: string, level: number, isKey: boolean): string {
  state.openEnded = false;
  // js-yaml writes such a key as an explicit `? key` pair.
  if (isKey && text.includes('\n')) throw new LeftToJsYaml();
  if (INVISIBLE.test(text) || /^\s+$/.test(text)) return doubleQuoted(text);
  if (text.includes('\n')) {
    if (!PRINTABLE_ASCII_LINES.test(text) && !BLOCK_CONTENT().test(text)) return doubleQuoted(text);
    state.openEnded = text === '\n' || text.endsWith('\n\n');
    return literalBlock(text, level);
  }
  if (canBePlain(text, level, isKey)) return text;
  if (PRINTABLE_ASCII_LINES.test(text) || (isKey ? SINGLE_ONE_LINE() : SINGLE_MULTI_LINE()).test(text))
    return `'${text.replace(/'/g, "''")}'`;
  return doubleQuoted(text);
}

function writeNode(state: WriterState, value: unknown, level: number, compact: boolean): string {
  if (typeof value === 'string') return writeString(state, value, level, false);
  state.openEnded = false;
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || Object.is(value, -0)) throw new LeftToJsYaml();
    return String(value);
  }
  if (Array.isArray(value)) {
    if (!value.length) return '[]';
    let out = '';
    for (const item of value) {
      const text = writeNode(state, item === undefined ? null : item, level + 1, true);
      if (!compact || out !== '') out += newLine(level);
      out += text.startsWith('\n') ? `-${text}` : `- ${text}`;
    }
    return out;
  }
  const prototype: unknown = typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  if (prototype === Object.prototype || prototype === null) {
    let out = '';
    // Keys, not entries: no pair array made per field (most of what writing allocated).
    for (const key of Object.keys(value as object)) {
      const child = (value as Record<string, unknown>)[key];
      if (child === undefined) continue;
      const keyText = writeString(state, key, level + 1, true);
      if (keyText.length > 1024) throw new LeftToJsYaml();
      const text = writeNode(state, child, level + 1, false);
      if (!compact || out !== '') out += newLine(level);
      out += `${keyText}${text.startsWith('\n') ? ':' : ': '}${text}`;
    }
    if (out === '') state.openEnded = false;
    return out === '' ? '{}' : out;
  }
  throw new LeftToJsYaml();
}

/** One YAML document as js-yaml's dump writes it, or undefined for what this writer leaves to js-yaml. */
export function writeOwnYaml(object: object, written = writtenStrings()): string | undefined {
  const state: WriterState = { openEnded: false, written };
  try {
    const text = writeNode(state, object, 0, true);
    return `${text}\n${state.openEnded ? '...\n' : ''}`;
  } catch (error) {
    if (error instanceof LeftToJsYaml) return undefined;
    throw error;
  }
}

export const DUMP_OPTIONS = { noRefs: true, lineWidth: -1 } as const;

/** One YAML document, as `dump(object, DUMP_OPTIONS)` writes it. */
export const writeYamlDocument = (object: object, written = writtenStrings()): string =>
  writeOwnYaml(object, written) ?? dump(object, DUMP_OPTIONS);

/** Multi-document YAML, one document an object. */
export function toYaml(objects: object[]): string {
  const written = writtenStrings();
  return objects.map((object) => writeYamlDocument(object, written)).join('---\n');
}
