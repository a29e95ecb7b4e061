// Golden files: every object and every nats.conf of every example, rendered with a fixed context.
// Reviewing a renderer change means reading the golden diff. UPDATE_GOLDEN=1 rewrites them.
import { describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toYaml } from '../cli/render-command.ts';
import { exampleNames, loadExample } from '../../test/fixtures/examples.ts';
import { fixedContext } from '../../test/fixtures/render-context.ts';
import { membersOf, renderCluster } from './index.ts';

const GOLDEN_DIR = join(import.meta.dirname, '..', '..', 'test', 'golden');

/** Variants of an example that the examples themselves do not show. */
const VARIANTS: Record<string, { example: string; replicas: number }> = {
  // One server with JetStream runs standalone: no cluster {} block (ADR 0011).
  'jwt-operator-one-replica': { example: 'jwt-operator', replicas: 1 },
};

function renderExample(name: string): { objects: string; confs: Record<string, string> } {
  const variant = VARIANTS[name];
  const docs = loadExample(variant?.example ?? name);
  if (variant) for (const cluster of docs.clusters) cluster.spec.replicas = variant.replicas;
  const rendered: object[] = [];
  const confs: Record<string, string> = {};
  for (const cluster of docs.clusters) {
    const members = membersOf(cluster, docs.accounts, docs.users);
    const objects = renderCluster(cluster, members, fixedContext(cluster, members.accounts, members.users));
    rendered.push(...objects);
    for (const o of objects as { kind: string; data?: Record<string, string> }[]) {
      if (o.kind === 'ConfigMap' && o.data?.['nats.conf'])
        confs[`${cluster.metadata.name}.nats.conf`] = o.data['nats.conf'];
      if (o.kind === 'Secret' && o.data?.['routes.conf'])
        confs[`${cluster.metadata.name}.routes.conf`] = Buffer.from(
          o.data['routes.conf'],
          'base64',
        ).toString();
      if (o.kind === 'Secret' && o.data?.['auth.conf'])
        confs[`${cluster.metadata.name}.auth.conf`] = Buffer.from(o.data['auth.conf'], 'base64').toString();
    }
  }
  return { objects: toYaml(rendered), confs };
}

function expectGolden(file: string, actual: string): void {
  const path = join(GOLDEN_DIR, file);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(path, actual);
    if (process.env.CI === 'true')
      throw new Error(`golden file ${file} was missing; run UPDATE_GOLDEN=1 and commit it`);
  }
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe.each([...exampleNames(), ...Object.keys(VARIANTS)])('example %s', (name) => {
  const { objects, confs } = renderExample(name);

  test('every rendered object matches its golden file', () => expectGolden(`${name}.yaml`, objects));

  test.each(Object.keys(confs))('%s matches its golden file', (file) =>
    expectGolden(`${name}.${file}`, confs[file] ?? ''),
  );

  test('rendering twice gives the same bytes', () => expect(renderExample(name).objects).toBe(objects));
});
