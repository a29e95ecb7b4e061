// The render command end to end, in-process: what a user sees on stdout, stderr and in the exit code.
import { afterAll, describe, expect, test } from '@jest/globals';
import { loadAll } from 'js-yaml';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { EXAMPLES_DIR, exampleNames } from '../../test/fixtures/examples.ts';
import { main } from './main.ts';

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new Writable({ write: (chunk, _e, done) => (append(String(chunk)), done()) });
  const code = await main(argv, sink((s) => (stdout += s)) as never, sink((s) => (stderr += s)) as never);
  return { code, stdout, stderr };
}

const tempDirs: string[] = [];
afterAll(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nats-warden-cli-'));
  tempDirs.push(dir);
  const file = join(dir, 'input.yaml');
  writeFileSync(file, text);
  return file;
}

describe('nats-warden render', () => {
  test.each(exampleNames())('renders examples/%s.yaml', async (name) => {
    const { code, stdout, stderr } = await run(['render', '-f', join(EXAMPLES_DIR, `${name}.yaml`)]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const kinds = (loadAll(stdout) as { kind: string }[]).map((o) => o.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'Certificate',
        'ConfigMap',
        'Secret',
        'StatefulSet',
        'Service',
        'PodDisruptionBudget',
        'ServiceAccount',
      ]),
    );
  });

  test('renders several files together', async () => {
    const files = ['minimal-tls', 'jwt-operator'].flatMap((n) => ['-f', join(EXAMPLES_DIR, `${n}.yaml`)]);
    const { code, stdout } = await run(['render', ...files]);
    expect(code).toBe(0);
    expect((loadAll(stdout) as { kind: string }[]).filter((o) => o.kind === 'StatefulSet')).toHaveLength(2);
  });

  test('invalid input exits 1 and names the field', async () => {
    const file = tempFile(
      'apiVersion: natswarden.io/v1alpha1\nkind: NatsCluster\nmetadata: {name: x}\nspec:\n  tls:\n    client: {minVersion: "1.1"}\n',
    );
    const { code, stdout, stderr } = await run(['render', '-f', file]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('NatsCluster/x: spec.tls.client.minVersion');
  });

  test('a user whose account is missing exits 1 and names the reference', async () => {
    const file = tempFile(
      'apiVersion: natswarden.io/v1alpha1\nkind: NatsUser\nmetadata: {name: u}\nspec: {accountRef: {name: nowhere}}\n',
    );
    const { code, stderr } = await run(['render', '-f', file]);
    expect(code).toBe(1);
    expect(stderr).toContain('spec.accountRef.name: no NatsAccount nowhere');
  });

  test('unparseable YAML exits 1 naming the file', async () => {
    const file = tempFile('kind: [unclosed\n');
    const { code, stderr } = await run(['render', '-f', file]);
    expect(code).toBe(1);
    expect(stderr).toContain(file);
  });

  test('a YAML alias bomb is refused at once, naming the file', async () => {
    // Nine levels of nine aliases: 387,420,489 strings once expanded.
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const file = tempFile(`kind: NatsCluster\n${levels.join('\n')}\n`);
    const { code, stderr } = await run(['render', '-f', file]);
    expect(code).toBe(1); // it used to crash after ~20 s: RangeError: Invalid string length
    expect(stderr).toContain(file);
    expect(stderr).toContain('expands to more than 4194304 characters');
  });

  test('more YAML aliases than any manifest needs are refused', async () => {
    const aliases = Array(101).fill('*a').join(',');
    const file = tempFile(`kind: NatsCluster\na: &a x\nb: [${aliases}]\n`);
    const { code, stderr } = await run(['render', '-f', file]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/alias/i);
  });

  test('a file larger than the API server would store is refused before it is read', async () => {
    const file = tempFile(`# ${'x'.repeat(2 * 1024 * 1024)}\nkind: NatsCluster\n`);
    const { code, stderr } = await run(['render', '-f', file]);
    expect(code).toBe(1);
    expect(stderr).toContain('over the limit of 2097152');
  });

  test('no file given exits 1 with a hint', async () => {
    expect(await run(['render'])).toMatchObject({ code: 1, stderr: expect.stringContaining('-f FILE') });
  });
});
