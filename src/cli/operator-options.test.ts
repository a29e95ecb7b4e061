// The operator's flags and environment variables stay one list: docs/operator.md's table has the
// cells operator-options.ts generates, `nats-warden operator --help` prints every flag and variable
// of it, every environment variable src/ reads is in it, and the parser's defaults are the ones it
// states.
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { main } from './main.ts';
import {
  OPERATOR_ENV,
  OPERATOR_FLAGS,
  operatorHelp,
  operatorOptionsTable,
  parseOperatorArgs,
} from './operator-options.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

/** A markdown table's rows as trimmed cells, without its separator row (prettier pads the cells). */
const rowsOf = (table: string) =>
  table
    .trim()
    .split('\n')
    .filter((line) => !/^\|[\s|:-]+\|$/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );

function documentedTable(): string {
  const doc = readFileSync(join(ROOT, 'docs', 'operator.md'), 'utf8');
  const match = /<!-- operator-options:[^>]*-->\n([\s\S]*?)<!-- \/operator-options -->/.exec(doc);
  if (!match) throw new Error('docs/operator.md has no generated operator-options table');
  return match[1]!;
}

async function helpOutput(argv: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const sink = new Writable({ write: (chunk, _e, done) => ((stdout += String(chunk)), done()) });
  const code = await main(argv, sink as never, sink as never);
  return { code, stdout };
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('the operator options, one list', () => {
  test('docs/operator.md has the table the definitions generate (cell by cell)', () => {
    expect(rowsOf(documentedTable())).toEqual(rowsOf(operatorOptionsTable()));
  });

  test('`nats-warden operator --help` prints every flag and environment variable, and exits 0', async () => {
    for (const argv of [
      ['operator', '--help'],
      ['operator', '-h'],
    ]) {
      const { code, stdout } = await helpOutput(argv);
      expect(code).toBe(0);
      expect(stdout).toBe(operatorHelp());
    }
    const { stdout } = await helpOutput(['operator', '--help']);
    for (const flag of OPERATOR_FLAGS) {
      expect(stdout).toContain(`--${flag.flag}`);
      expect(stdout).toContain(flag.description);
    }
    for (const variable of OPERATOR_ENV) {
      expect(stdout).toContain(`  ${variable.name}\n`);
      expect(stdout).toContain(variable.description);
    }
  });

  test('every environment variable src/ reads is listed, and every listed one is read', () => {
    const read = new Map<string, string>();
    for (const file of sourceFiles(SRC)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\b(?:process\.)?env\.([A-Z][A-Z0-9_]*)/g))
        read.set(m[1]!, relative(ROOT, file));
    }
    const listed = OPERATOR_ENV.map((e) => e.name);
    expect([...read.keys()].filter((name) => !listed.includes(name))).toEqual([]);
    // KUBECONFIG is read by @kubernetes/client-node (KubeConfig.loadFromDefault in src/k8s/client.ts).
    expect(listed.filter((name) => !read.has(name) && name !== 'KUBECONFIG')).toEqual([]);
    expect(readFileSync(join(SRC, 'k8s', 'client.ts'), 'utf8')).toContain('loadFromDefault');
  });

  test('the parser has the defaults the table states, the environment fallbacks, and the flags', () => {
    const none = parseOperatorArgs([], {});
    expect(none).toMatchObject({
      namespaces: [],
      healthHost: '0.0.0.0',
      healthPort: 8081,
      leaderElection: true,
      leaseNamespace: 'default',
      clusterDomain: 'cluster.local',
      workers: 2,
      operatorNamespace: 'nats-warden',
    });
    expect(none.identity).toBeUndefined();
    const defaultOf = (flag: string) => OPERATOR_FLAGS.find((f) => f.flag === flag)!.default;
    expect(defaultOf('health-addr')).toBe(`${none.healthHost}:${none.healthPort}`);
    expect(defaultOf('cluster-domain')).toBe(none.clusterDomain);
    expect(defaultOf('nats-image')).toBe(none.defaultImage);
    expect(defaultOf('reloader-image')).toBe(none.operatorImage);
    expect(defaultOf('workers')).toBe(String(none.workers));
    expect(defaultOf('operator-namespace')).toContain(none.operatorNamespace!);

    expect(parseOperatorArgs([], { POD_NAME: 'nw-0', POD_NAMESPACE: 'ops' })).toMatchObject({
      identity: 'nw-0',
      leaseNamespace: 'ops',
      operatorNamespace: 'ops',
    });
    expect(
      parseOperatorArgs(
        [
          '-n',
          'a',
          '--namespace',
          'b',
          '--health-addr',
          '127.0.0.1:9090',
          '--no-leader-election',
          '--leader-election-namespace',
          'le',
          '--identity',
          'me',
          '--workers',
          '4',
          '--reloader-image',
          'registry.example/nats-warden@sha256:0123',
        ],
        { POD_NAME: 'nw-0', POD_NAMESPACE: 'ops' },
      ),
    ).toMatchObject({
      namespaces: ['a', 'b'],
      healthHost: '127.0.0.1',
      healthPort: 9090,
      leaderElection: false,
      leaseNamespace: 'le',
      identity: 'me',
      workers: 4,
      operatorImage: 'registry.example/nats-warden@sha256:0123',
    });
  });

  test('--workers must be a whole number of at least 1 (NaN workers would run none)', () => {
    for (const bad of ['abc', '0', '-2', '1.5'])
      expect(() => parseOperatorArgs([`--workers=${bad}`], {})).toThrow(/--workers: expected a whole number/);
    expect(parseOperatorArgs(['--workers', '6'], {}).workers).toBe(6);
  });

  test('an unknown flag exits 1 naming it', async () => {
    let stderr = '';
    const sink = new Writable({ write: (chunk, _e, done) => ((stderr += String(chunk)), done()) });
    expect(await main(['operator', '--log-levle', 'debug'], sink as never, sink as never)).toBe(1);
    expect(stderr).toContain("'--log-levle'");
  });
});
