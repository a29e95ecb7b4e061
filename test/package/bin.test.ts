// bin/nats-warden.js as users run it, as a whole process: from a checkout right after `npm ci` (no
// dist/, the TypeScript source) and from a published package (the esbuild bundle, no src/). Either
// prints what the renderer renders for the same input. The generated secrets (Secret data values)
// differ on every run by design, so they are compared by their keys only.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { loadAll } from 'js-yaml';
import { execFileSync } from 'node:child_process';
import { isAscii } from 'node:buffer';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@nats-warden/local-cluster';
import { readValidated, renderDocuments } from '../../src/cli/render-command.ts';
import { checkoutLayout, packageLayout, type CliLayout } from '../fixtures/cli-layouts.ts';

const example = join(repoRoot, 'examples', 'secure-cluster.yaml');
// The Jest worker runs on Node 24 (npm puts node_modules/.bin first on the PATH), like the bin's users.
const node = process.execPath;

type Obj = { kind: string; data?: Record<string, unknown> };

/** Secret data values become a placeholder: freshly generated on every run. */
function withoutGeneratedSecrets(objects: Obj[]): Obj[] {
  return objects.map((o) =>
    o.kind === 'Secret' && o.data
      ? { ...o, data: Object.fromEntries(Object.keys(o.data).map((k) => [k, '(generated)'])) }
      : o,
  );
}

async function rendererOutput(): Promise<Obj[]> {
  const objects = await renderDocuments(await readValidated([example]), 'cluster.local');
  // Through YAML and back, as the command prints it (drops undefined fields as YAML does).
  return loadAll(objects.map((o) => JSON.stringify(o)).join('\n---\n')) as Obj[];
}

describe.each([
  ['a checkout without dist/ (the TypeScript source)', checkoutLayout, 'src'],
  ['a published package (the bundle, no src/)', packageLayout, 'dist/bundle'],
] as const)('bin/nats-warden.js render from %s', (_name, makeLayout, runs) => {
  let layout: CliLayout;
  beforeAll(() => {
    layout = makeLayout();
  });
  afterAll(() => layout.remove());

  test('has only what that layout has', () => {
    expect(existsSync(join(layout.root, runs))).toBe(true);
    expect(existsSync(join(layout.root, runs === 'src' ? 'dist' : 'src'))).toBe(false);
    // bin/code-cache.js reads the bundle as Latin-1 only when it is ASCII (scripts/bundle-cli.ts).
    if (runs !== 'src') expect(isAscii(readFileSync(join(layout.root, runs, 'render.cjs')))).toBe(true);
    // TypeBox stays out of it, in the file of its own that only an invalid document loads (docs/cli.md).
    if (runs !== 'src') {
      expect(readFileSync(join(layout.root, runs, 'render.cjs'), 'latin1')).not.toContain(
        '@sinclair/typebox',
      );
      expect(readFileSync(join(layout.root, runs, 'schema-check.cjs'), 'utf8')).toContain(
        '@sinclair/typebox',
      );
    }
  });

  const env = () => ({ ...process.env, NATS_WARDEN_CODE_CACHE: join(layout.root, 'code-cache') });
  const renderOnce = () =>
    loadAll(
      execFileSync(node, [layout.bin, 'render', '-f', example], {
        cwd: layout.root,
        encoding: 'utf8',
        env: env(),
      }),
    ) as Obj[];

  test('prints what the renderer renders', async () => {
    const printed = renderOnce();
    expect(printed.length).toBeGreaterThan(10);
    expect(withoutGeneratedSecrets(printed)).toEqual(withoutGeneratedSecrets(await rendererOutput()));
  });

  test('a second run, through the code cache the first wrote (bundle only), prints the same', async () => {
    const cached = existsSync(join(layout.root, 'code-cache'))
      ? readdirSync(join(layout.root, 'code-cache'))
      : [];
    expect(cached).toEqual(runs === 'src' ? [] : [expect.stringMatching(/^render\.cjs-\d+-\d+-v\d+/)]);
    expect(withoutGeneratedSecrets(renderOnce())).toEqual(withoutGeneratedSecrets(await rendererOutput()));
  });

  test('exits 1 with the field path on bad input, 2 on an unknown command', () => {
    const run = (args: string[]) => {
      try {
        execFileSync(node, [layout.bin, ...args], { cwd: layout.root, stdio: 'pipe', env: env() });
        return { status: 0, stderr: '' };
      } catch (error) {
        const e = error as { status: number; stderr: Buffer };
        return { status: e.status, stderr: String(e.stderr) };
      }
    };
    expect(run(['render', '-f', join(repoRoot, 'no-such-file.yaml')])).toEqual({
      status: 1,
      stderr: expect.stringContaining('no-such-file.yaml'),
    });
    expect(run(['no-such-command']).status).toBe(2);
    // An invalid document: TypeBox's errors, loaded only now (in a package, from schema-check.cjs).
    const invalid = join(layout.root, 'invalid.yaml');
    writeFileSync(
      invalid,
      readFileSync(example, 'utf8')
        .replace('replicas: 3', 'replicas: three')
        .replace('authType: NKey', 'authType: Nkey'),
    );
    const refused = run(['render', '-f', invalid]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('NatsCluster/secure: spec.replicas: must be integer');
    expect(refused.stderr).toContain('NatsUser/app: spec.authType: must be one of');
  });
});
