// The CRDs' schema and CEL rules enforced by the real kube-apiserver: every case of the bad-input
// table is refused at admission naming its field (server-side dry run), the valid ones are
// admitted, auth.mode cannot change once set, and a JetStream cluster cannot scale across one replica.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { BAD_CASES, GOOD_CASES } from '../test/api/bad-input-cases.ts';
import { createNamespace, deleteNamespace, k } from '@nats-warden/local-cluster';

jest.setTimeout(120_000);
let ns = '';

beforeAll(async () => {
  ns = await createNamespace('crds');
});
afterAll(async () => deleteNamespace(ns));

const dryRunCreate = (doc: object) =>
  k(['create', '--dry-run=server', '--validate=strict', '-n', ns, '-f', '-'], JSON.stringify(doc));

describe('the API server rejects invalid resources naming the field', () => {
  test.each(BAD_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const error = await dryRunCreate(c.doc).then(
      () => '',
      (e: Error) => e.message,
    );
    expect(error).not.toBe('');
    expect(error).toContain(c.field);
  });
});

describe('the API server admits valid resources', () => {
  test.each(GOOD_CASES.map((doc, i) => [i, doc] as const))('#%d', async (_i, doc) => {
    await expect(dryRunCreate(doc)).resolves.toContain('created (server dry run)');
  });
});

test('auth.mode is immutable', async () => {
  await k(
    ['create', '-n', ns, '-f', '-'],
    JSON.stringify({
      apiVersion: 'natswarden.io/v1alpha1',
      kind: 'NatsCluster',
      metadata: { name: 'fixed' },
      spec: { auth: { mode: 'Config' } },
    }),
  );
  const error = await k([
    'patch',
    'natscluster',
    'fixed',
    '-n',
    ns,
    '--type=merge',
    '-p',
    '{"spec":{"auth":{"mode":"JWT"}}}',
  ]).then(
    () => '',
    (e: Error) => e.message,
  );
  expect(error).toContain('auth.mode is immutable');
});

describe('a JetStream cluster cannot scale between one replica and several (ADR 0011)', () => {
  const create = (name: string, spec: object) =>
    k(
      ['create', '-n', ns, '-f', '-'],
      JSON.stringify({ apiVersion: 'natswarden.io/v1alpha1', kind: 'NatsCluster', metadata: { name }, spec }),
    );
  const patch = (name: string, spec: object) =>
    k([
      'patch',
      'natscluster',
      name,
      '-n',
      ns,
      '--dry-run=server',
      '--type=merge',
      '-p',
      JSON.stringify({ spec }),
    ]).then(
      () => 'admitted',
      (e: Error) => e.message,
    );
  const REFUSED = 'cannot scale between 1 replica (standalone JetStream) and several';

  beforeAll(async () => {
    await create('alone', { replicas: 1, jetstream: { enabled: true } });
    await create('many', { replicas: 3, jetstream: { enabled: true } });
    await create('plain', { replicas: 1 });
  });

  test('1 -> 3 with JetStream is refused, naming spec.replicas', async () => {
    const error = await patch('alone', { replicas: 3 });
    expect(error).toContain(REFUSED);
    expect(error).toContain('spec.replicas');
  });
  test('3 -> 1 with JetStream is refused', async () => {
    expect(await patch('many', { replicas: 1 })).toContain(REFUSED);
  });
  test('turning JetStream off in the same change does not get around it', async () => {
    expect(await patch('alone', { replicas: 3, jetstream: { enabled: false } })).toContain(REFUSED);
  });
  test('scaling within the same mode, toggling JetStream, and scaling without JetStream are admitted', async () => {
    expect(await patch('many', { replicas: 5 })).toBe('admitted');
    expect(await patch('alone', { jetstream: { enabled: false } })).toBe('admitted');
    expect(await patch('plain', { replicas: 3 })).toBe('admitted');
  });
});
