// Property test of the nats.conf writer against nats-server's own parser (the conf-echo tool, built
// over the pinned nats-server module): random strings, heavy in what is special in nats.conf, go in
// as values, as array items, as keys (top level and nested) and as the subjects, account names and
// certificate user names of a Config-mode auth file; each must come back exactly, or be refused by
// the writer with a RenderError naming it, and only when nats.conf cannot hold it at all.
// The seed is printed; CONF_WRITER_SEED=<n> replays a run, CONF_WRITER_STRINGS=<n> sets the count.
// It lives with the server tests, not the unit tests, because it runs a pinned binary that netns.sh
// builds before the servers project starts; the unit project then needs no Go toolchain for it.
import { afterAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolPath } from '@nats-warden/local-cluster';
import type { NatsAccount, NatsCluster, NatsUser } from '../../src/api/index.ts';
import { configModeAuth } from '../../src/render/auth-conf.ts';
import { writeNatsConf, type ConfBlock } from '../../src/render/conf-writer.ts';
import { RenderError } from '../../src/render/index.ts';

const SEED = Number(process.env.CONF_WRITER_SEED ?? Math.floor(Math.random() * 2 ** 32));
const COUNT = Number(process.env.CONF_WRITER_STRINGS ?? 10_000);
console.info(
  `conf writer round trip: seed ${SEED} (CONF_WRITER_SEED=${SEED} replays it), ${COUNT} strings per case`,
);

/** mulberry32: small, seedable, good enough to spread test cases. */
function randomSource(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const int = (n: number): number => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next, int, pick };
}
type Random = ReturnType<typeof randomSource>;

/** Whole strings nats.conf might read as something other than a string. */
// prettier-ignore
const TOKENS = [
  '', 'true', 'FALSE', 'yes', 'No', 'on', 'off', '10s', '1h30m', '1k', '1Ki', '8MB', '1.5', '-1', '0', '1e5',
  '5e7bcd', '0x1f', '007', '2026-01-01T00:00:00Z', '127.0.0.1:4222', '1.2.3', 'include', 'variable',
  'INCLUDE ./x.conf', 'include "a"', '$VAR', '$2a$11$abc', '${X}', '$', '\\x41', '\\x4', '\\u0041', '\\n',
  '\\', '\\\\', '"', "'", '""', "''", '//', '/*', '*/', '#', '# c', ' lead', 'trail ', '  ', 'a b', '(\n)',
  '\n)\n', ')', '{}', '[]', '{', ']', 'null', 'NaN', '*', '>', 'foo.*.>', '_INBOX.>', 'CN=admin', 'a=b',
  'a:b', 'a;b', 'a,b', '\r\n', '\u0000', '\ufeff', '\u2028', 'é', '😀', '\ufffd',
];
const SPECIAL = '"\'\\$#/{}[](),;=: \t\n\r.*>-+';
const UNICODE_SPACES = '\u0085\u00a0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';
const ALNUM = 'abcxyzABCXYZ0123456789_';

function randomChar(r: Random, loneSurrogates: boolean): string {
  const kind = r.int(100);
  if (kind < 30) return r.pick([...SPECIAL]);
  if (kind < 45) return r.pick([...ALNUM]);
  if (kind < 55) return String.fromCharCode(r.int(0x20)); // C0 controls, NUL included
  if (kind < 58) return String.fromCharCode(r.pick([0x7f, 0x80 + r.int(0x20)])); // DEL, C1 controls
  if (kind < 63) return r.pick([...UNICODE_SPACES]);
  if (kind < 85) return String.fromCharCode(r.pick([r.int(0xd800), 0xe000 + r.int(0x2000)])); // BMP
  if (kind < 99 || !loneSurrogates) return String.fromCodePoint(0x10000 + r.int(0x100000)); // astral
  return String.fromCharCode(0xd800 + r.int(0x800)); // a lone surrogate
}

function randomString(r: Random, loneSurrogates = true): string {
  if (r.int(4) === 0) return r.pick(TOKENS);
  let text = '';
  for (let pieces = 1 + r.int(6); pieces > 0; pieces--) {
    if (r.int(5) === 0) text += r.pick(TOKENS);
    else for (let n = 1 + r.int(5); n > 0; n--) text += randomChar(r, loneSurrogates);
  }
  return text;
}

const figures: string[] = [];
const started = Date.now();
afterAll(() =>
  console.info(`conf writer round trip, seed ${SEED}, ${Date.now() - started} ms: ${figures.join('; ')}`),
);

const work = mkdtempSync(join(tmpdir(), 'nats-warden-conf-roundtrip-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let files = 0;

/** What nats-server's parser reads from the text, or its error. */
function parse(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const file = join(work, `${files++}.conf`);
  writeFileSync(file, text);
  try {
    const out = execFileSync(toolPath('conf-echo'), [file], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 1 << 30,
    });
    return { ok: true, value: JSON.parse(out) as unknown };
  } catch (err) {
    const { stderr, message } = err as { stderr?: string; message?: string };
    return { ok: false, error: (stderr || message || String(err)).trim() };
  }
}

/** Writes one tree, or returns the writer's refusal (which must be a RenderError naming the value). */
function write(block: ConfBlock, value: string): string | RenderError {
  try {
    return writeNatsConf(block);
  } catch (err) {
    if (!(err instanceof RenderError)) throw err;
    expect(err.message).toContain(JSON.stringify(value));
    return err;
  }
}

const show = (s: unknown) => JSON.stringify(s);

/**
 * Writes every string through `place` (one small tree per string, so refusals are seen one by one),
 * parses all accepted ones in one file, and returns what did not come back and what was refused.
 */
function roundTrip(
  strings: string[],
  place: (s: string, i: number) => ConfBlock,
  readBack: (parsed: unknown, i: number) => unknown,
): { refused: string[]; wrong: string[] } {
  const refused: string[] = [];
  const accepted: [number, string][] = [];
  strings.forEach((s, i) => {
    const written = write(place(s, i), s);
    if (written instanceof RenderError) refused.push(s);
    else accepted.push([i, s]);
  });
  const batch = parse(accepted.map(([i, s]) => write(place(s, i), s)).join(''));
  const wrong: string[] = [];
  if (batch.ok) {
    for (const [i, s] of accepted) {
      const got = readBack(batch.value, i);
      if (got !== s) wrong.push(`${show(s)} came back as ${show(got)}`);
    }
  } else {
    // Find the strings that break the parser, one file each (a bounded search: this is the slow path).
    let tried = 0;
    for (const [i, s] of accepted) {
      const alone = parse(write(place(s, i), s) as string);
      const got = alone.ok ? readBack(alone.value, i) : undefined;
      if (got !== s) wrong.push(`${show(s)}: ${alone.ok ? `came back as ${show(got)}` : alone.error}`);
      if (wrong.length >= 20 || ++tried >= 2000) break;
    }
    if (wrong.length === 0) wrong.push(`the batch failed but no string alone did: ${batch.error}`);
  }
  return { refused, wrong };
}

const hasLoneSurrogate = (s: string) => /\p{Surrogate}/u.test(s);

describe(`nats.conf writer against nats-server's parser (seed ${SEED})`, () => {
  const r = randomSource(SEED);
  const strings = Array.from({ length: COUNT }, () => randomString(r));
  const at = (parsed: unknown, ...path: (string | number)[]) =>
    path.reduce<unknown>(
      (node, key) => (node as Record<string | number, unknown> | undefined)?.[key],
      parsed,
    );

  test('string values come back exactly; only text with a lone surrogate is refused', () => {
    const { refused, wrong } = roundTrip(
      strings,
      (s, i) => ({ [`v${i}`]: s }),
      (parsed, i) => at(parsed, `v${i}`),
    );
    expect(wrong).toEqual([]);
    expect(refused.filter((s) => !hasLoneSurrogate(s)).map(show)).toEqual([]);
    expect(strings.filter(hasLoneSurrogate).length).toBe(refused.length);
    figures.push(`values: ${strings.length - refused.length} written, ${refused.length} refused`);
  });

  test('array items and values nested in blocks come back exactly', () => {
    const { wrong } = roundTrip(
      strings.filter((s) => !hasLoneSurrogate(s)),
      (s, i) => ({ [`n${i}`]: { list: [s, i], inner: { value: s } } }),
      (parsed, i) => {
        const list = at(parsed, `n${i}`, 'list');
        const inner = at(parsed, `n${i}`, 'inner', 'value');
        return Array.isArray(list) && list[0] === inner && list[1] === i ? inner : { list, inner };
      },
    );
    expect(wrong).toEqual([]);
  });

  // A key holding both quote characters can only be written bare, and a bare key cannot hold
  // whitespace, ':' or '=' or start with a quote, bracket, '#' or '/'; NUL ends the input.
  const refusableKey = (s: string) =>
    hasLoneSurrogate(s) || s.includes('\0') || (s.includes('"') && s.includes("'"));
  const keys = [...new Set(strings)];

  test('keys at the top level come back exactly; refused only when no quoting can hold them', () => {
    const { refused, wrong } = roundTrip(
      keys,
      (s, i) => ({ [s]: i }),
      (parsed, i) => (at(parsed, keys[i] as string) === i ? keys[i] : undefined),
    );
    expect(wrong).toEqual([]);
    expect(refused.filter((s) => !refusableKey(s)).map(show)).toEqual([]);
    const refusedSet = new Set(refused);
    const bare = keys.filter((k) => k.includes('"') && k.includes("'") && !refusedSet.has(k)).length;
    figures.push(
      `top-level keys: ${keys.length - refused.length} written (${bare} bare), ${refused.length} refused`,
    );
  });

  test('keys inside a block come back exactly', () => {
    const { refused, wrong } = roundTrip(
      keys,
      (s, i) => ({ [`m${i}`]: { before: 1, [s]: i, after: 2 } }),
      (parsed, i) => {
        const block = at(parsed, `m${i}`) as Record<string, unknown> | undefined;
        const ok = block?.before === 1 && block.after === 2 && block[keys[i] as string] === i;
        return ok && Object.keys(block).length === 3 ? keys[i] : block;
      },
    );
    expect(wrong).toEqual([]);
    expect(refused.filter((s) => !refusableKey(s)).map(show)).toEqual([]);
  });
});

describe(`Config-mode auth file (src/render/auth-conf.ts) against nats-server's parser (seed ${SEED})`, () => {
  test('account names, certificate user names and permission subjects come back exactly', () => {
    const r = randomSource(SEED ^ 0x5bd1e995);
    const text = () => randomString(r, false);
    const subjects = () => Array.from({ length: 1 + r.int(4) }, text);
    const permissions = () => ({
      publish: { allow: subjects(), deny: subjects() },
      subscribe: { allow: subjects(), ...(r.int(2) ? { deny: subjects() } : {}) },
    });
    const names = new Set<string>();
    const accounts: NatsAccount[] = [];
    const users: NatsUser[] = [];
    for (let i = 0; names.size < COUNT / 20; i++) {
      const accountName = text();
      // Keys the writer refuses are covered above; here every account must be written.
      if (names.has(accountName) || write({ [accountName]: 1 }, accountName) instanceof RenderError) continue;
      names.add(accountName);
      accounts.push({
        metadata: { name: `a${i}` },
        spec: { clusterRef: { name: 'c' }, accountName, defaultPermissions: permissions() },
      } as unknown as NatsAccount);
      for (const u of [0, 1])
        users.push({
          metadata: { name: `a${i}-u${u}` },
          spec: {
            accountRef: { name: `a${i}` },
            authType: 'Certificate',
            certificate: { commonName: text() },
            permissions: permissions(),
          },
        } as unknown as NatsUser);
    }
    const cluster = { metadata: { name: 'c' }, spec: { auth: { mode: 'Config' } } } as unknown as NatsCluster;
    const block = configModeAuth(cluster, accounts, users, { routePassword: 'x', users: {} });
    const conf = writeNatsConf(block);
    const parsed = parse(conf);
    if (!parsed.ok) throw new Error(parsed.error);
    const stringsIn = (v: unknown): number =>
      typeof v === 'string'
        ? 1
        : v && typeof v === 'object'
          ? Object.values(v).reduce((n, x) => n + stringsIn(x), 0)
          : 0;
    const count = stringsIn(block) + accounts.length;
    expect(count).toBeGreaterThan(COUNT);
    figures.push(`auth file: ${count} strings (${accounts.length} account names, ${users.length} users)`);
    // What went in, without the settings left out: exactly what must come back.
    expect(parsed.value).toEqual(JSON.parse(JSON.stringify(block)));
  });
});
