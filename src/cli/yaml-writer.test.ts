// The CLI's YAML writer must print exactly what js-yaml's dump prints: compared byte for byte on every
// golden output, on objects rendered with real identities, and on the strings YAML reads as something
// else or must escape. Only what the writer handles itself counts (writeOwnYaml): a silent fallback to
// js-yaml would pass any comparison.
import { describe, expect, test } from '@jest/globals';
import { dump, loadAll } from 'js-yaml';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exampleNames, loadExample } from '../../test/fixtures/examples.ts';
import { renderDocuments } from './render-command.ts';
import { DUMP_OPTIONS, toYaml, writeOwnYaml, writeYamlDocument } from './yaml-writer.ts';

const GOLDEN_DIR = join(import.meta.dirname, '..', '..', 'test', 'golden');
const goldenYamls = readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.yaml'));

/** Every way a string sits in a document: value, key, list item, at several depths. */
const placements = (s: string): object[] => [
  { value: s },
  { [s]: 'value' },
  [s],
  { list: [s, { nested: s }] },
  { a: { b: { c: s } }, after: 1 },
  [[s]],
];

const TRICKY_STRINGS = [
  ...['', ' ', '  ', 'a', 'a b', 'a ', ' a', 'é', '日本語', 'x'.repeat(1100)],
  ...['true', 'True', 'TRUE', 'false', 'yes', 'Yes', 'no', 'NO', 'on', 'Off', 'y', 'Y', 'n', 'N'],
  ...['~', 'null', 'Null', 'NULL', '<<', '=', '==', '.', '..'],
  ...['0', '-1', '+1', '007', '1.5', '.5', '1e3', '1E-3', '1_000', '0x1F', '0o17', '0b101', '1:20'],
  ...['12:30:00', '190:20:30.15', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '.inf', '-.Inf', '.NaN'],
  ...['-', '- a', '-a', '?', '? a', '?a', ':', ':a', 'a:', 'a: b', 'a:b', 'a #b', 'a#b', '#a', '&a', '*a'],
  ...['!a', '|', '>', '%a', '@a', '`a', '"a"', "'a'", "a'b", 'a"b', 'a,b', '[a]', '{a}', 'a]', '\\', 'a\\b'],
  ...['---', '...', '--- a', '---a', 'a\n---\nb', 'a\n...', '*.svc.cluster.local', 'app.kubernetes.io/name'],
  ...['a\nb', 'a\nb\n', 'a\n\n', 'a\n\n\n', '\n', '\n\n', '\na', '\n\na', '  a\nb', ' a\nb\n', '\n a'],
  ...['a\n ', 'a \nb', 'a\n b', 'a\r\nb', 'a\rb', 'a\tb', '\t', 'a\n\tb', 'a\u2028b', '\u0085', '\u00a0x'],
  ...['\ufeff', '\ufeffa', '\x00', '\x07', '\x1b', '\x7f', '\ud800', 'a\ud83d\ude00b', '\uffff'],
  // Printable ASCII that is not surely plain, which takes the plain style's ASCII-only expressions.
  ...['a:-', 'a :b', 'a# b', 'k=v,w', 'a - b', '[x', 'x]:', 'a::b', 'a: ', '::', '-:', '?-', 'a?', 'a b:c'],
  '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  'listen: 0.0.0.0:4222\ninclude "../auth.conf"\n',
];

describe('the YAML writer, against js-yaml dump', () => {
  test.each(goldenYamls)('reads %s and writes its bytes back', (file) => {
    const golden = readFileSync(join(GOLDEN_DIR, file), 'utf8');
    const objects = loadAll(golden) as object[];
    expect(objects.length).toBeGreaterThan(5);
    for (const object of objects) expect(writeOwnYaml(object)).toBe(dump(object, DUMP_OPTIONS));
    expect(toYaml(objects)).toBe(golden);
  });

  test.each(exampleNames())('writes example %s rendered with real identities as dump does', async (name) => {
    const docs = loadExample(name);
    const objects = await renderDocuments(docs, 'cluster.local');
    for (const object of objects) expect(writeOwnYaml(object)).toBe(dump(object, DUMP_OPTIONS));
  });

  test.each(TRICKY_STRINGS.map((s) => [JSON.stringify(s).slice(0, 40), s]))('string %s', (_name, s) => {
    for (const object of placements(s)) expect(writeYamlDocument(object)).toBe(dump(object, DUMP_OPTIONS));
  });

  test('strings written once and remembered are written as dump writes each document', () => {
    // One toYaml call shares what it wrote across its documents: every tricky string at the top
    // level, as a key and as a value, in one call, twice over, and in the other order.
    const objects = TRICKY_STRINGS.flatMap((s) => [s, ...placements(s)]) as object[];
    const expected = (list: object[]) => list.map((o) => dump(o, DUMP_OPTIONS)).join('---\n');
    expect(toYaml([...objects, ...objects])).toBe(expected([...objects, ...objects]));
    expect(toYaml([...objects].reverse())).toBe(expected([...objects].reverse()));
  });

  test('every short string over indicators, spaces and plain-safe characters, as dump writes it', () => {
    // Where the shortcut past the plain style's productions (SURELY_PLAIN) could go wrong: each string
    // of up to three characters from this alphabet, and longer ones drawn at random (a fixed seed),
    // as a value, a key, a list item and a document of its own.
    const alphabet = [...'a0-?:# =+$*&!@%./,[{"\'|>~(;'];
    const strings = [''];
    for (let length = 1, last = ['']; length <= 3; length++) {
      last = last.flatMap((s) => alphabet.map((c) => s + c));
      strings.push(...last);
    }
    let seed = 42;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let i = 0; i < 3000; i++)
      strings.push(Array.from({ length: 4 + random(8) }, () => alphabet[random(alphabet.length)]).join(''));
    const mismatches = strings.filter((s) =>
      [{ v: s }, { [s]: 1 }, [s], s as unknown as object].some(
        (o) => writeYamlDocument(o) !== dump(o, DUMP_OPTIONS),
      ),
    );
    expect(mismatches).toEqual([]);
  });

  test('writes nearly every tricky string itself, not through js-yaml', () => {
    const own = TRICKY_STRINGS.flatMap(placements).filter((o) => writeOwnYaml(o) !== undefined);
    // Left to js-yaml: keys with a line break (explicit `? key` pairs) and the 1100-character key.
    const multiLineKeys = TRICKY_STRINGS.filter((s) => s.includes('\n') || s.length > 1024).length;
    expect(own.length).toBe(TRICKY_STRINGS.length * 6 - multiLineKeys);
  });

  test.each([
    ['integers', { a: 0, b: -5, c: 2 ** 53 - 1, d: [1, 2, 3] }],
    ['booleans and null', { a: true, b: false, c: null, d: [null, true] }],
    ['undefined: field dropped, list item null', { a: undefined, b: [undefined, 1], c: 1 }],
    ['empty collections', { a: {}, b: [], c: [{}, [], [[]]], d: { e: {} } }],
    ['lists of lists and of objects', [[1, [2, 3]], { a: [{ b: 1, c: [] }] }, 'x']],
    ['a kept final line break at the end', { a: 1, b: 'x\n\n' }],
    ['a kept final line break, then more', { b: 'x\n\n', a: 1 }],
    ['a null-prototype object', Object.assign(Object.create(null) as object, { a: 1 })],
  ])('%s', (_name, object) => {
    expect(writeOwnYaml(object)).toBe(dump(object, DUMP_OPTIONS));
  });

  test.each([
    ['fractions', { a: 1.5 }],
    ['negative zero', { a: -0 }],
    ['unsafe integers', { a: 2 ** 60 }],
    ['not a number', { a: NaN, b: Infinity }],
    ['dates', { a: new Date(0) }],
    ['boxed booleans', { a: new Boolean(true) }],
    ['sets', { a: new Set([1]) }],
    ['bytes', { a: new Uint8Array([1, 2]) }],
  ])('leaves %s to js-yaml, which writes them', (_name, object) => {
    expect(writeOwnYaml(object)).toBeUndefined();
    expect(writeYamlDocument(object)).toBe(dump(object, DUMP_OPTIONS));
  });

  test('refuses what js-yaml refuses', () => {
    expect(() => writeYamlDocument({ f: () => 1 })).toThrow(/unacceptable kind/);
  });
});
