// Proofs that a plain StatefulSet of clustered nats-servers behaves on this cluster as on a real
// one: Ready across three nodes with full routes, a deleted pod coming back with the same name
// and PVC data (its address is new, and the pod's stable DNS name resolves to it), and a template change rolling one pod at a time, highest
// ordinal first.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { natsStatefulSet } from './fixtures.ts';
import {
  apply,
  createNamespace,
  deleteNamespace,
  getJson,
  isReady,
  k,
  podGet,
  pods,
  waitUntil,
} from '../harness/k8s.ts';

jest.setTimeout(600_000);

const name = 'nats';
let ns = '';

const byOrdinal = async () =>
  (await pods(ns, `app=${name}`)).sort((a: any, b: any) => a.metadata.name.localeCompare(b.metadata.name));

async function allReady(replicas: number): Promise<any[]> {
  return waitUntil(
    `${replicas} Ready nats pods`,
    async () => {
      const list = await byOrdinal();
      return list.length === replicas && list.every(isReady) && list;
    },
    240_000,
  );
}

async function routeNames(pod: string): Promise<string[]> {
  const routez = JSON.parse(await podGet(ns, pod, 8222, '/routez'));
  return [...new Set<string>((routez.routes ?? []).map((r: any) => r.remote_name))].sort();
}

async function fullMesh(list: any[]): Promise<void> {
  const names = list.map((p) => p.metadata.name);
  for (const pod of names) {
    const others = names.filter((n) => n !== pod).sort();
    await waitUntil(
      `routes from ${pod} to ${others.join(',')}`,
      async () => JSON.stringify(await routeNames(pod)) === JSON.stringify(others),
      60_000,
    );
  }
}

beforeAll(async () => {
  ns = await createNamespace('sts');
  await apply(natsStatefulSet(ns, name, 3));
});

afterAll(async () => {
  if (ns) await deleteNamespace(ns);
});

describe('a plain StatefulSet of clustered nats-servers', () => {
  test('becomes Ready across the three nodes and forms routes (/routez on each)', async () => {
    const list = await allReady(3);
    expect(new Set(list.map((p) => p.spec.nodeName)).size).toBe(3);
    expect(new Set(list.map((p) => p.status.podIP)).size).toBe(3);
    for (const p of list) expect(p.status.containerStatuses.every((c: any) => c.ready)).toBe(true);
    await fullMesh(list);
  });

  test('a deleted pod is recreated with the same name, address (or DNS name) and PVC data', async () => {
    const before = (await byOrdinal())[1];
    const marker = await podGet(ns, before.metadata.name, 8080, '/file?path=/data/marker');
    expect(marker.trim()).toMatch(/[0-9a-f-]{36}/);
    await k(['delete', 'pod', before.metadata.name, '-n', ns, '--wait=false']);
    const after = await waitUntil(
      'the pod to come back',
      async () => {
        const p = (await byOrdinal()).find((x) => x.metadata.name === before.metadata.name);
        return p && p.metadata.uid !== before.metadata.uid && isReady(p) && p;
      },
      180_000,
    );
    // What a StatefulSet keeps is the name: the headless Service's record moves to the new address.
    const fqdn = `${after.metadata.name}.${name}.${ns}.svc.cluster.local`;
    const resolved = await waitUntil(
      `${fqdn} -> the new address`,
      async () => {
        const found = JSON.parse(await podGet(ns, after.metadata.name, 8080, `/resolve?name=${fqdn}`));
        return found[0] === after.status.podIP && found;
      },
      30_000,
    );
    expect(resolved).toEqual([after.status.podIP]);
    expect(await podGet(ns, after.metadata.name, 8080, '/file?path=/data/marker')).toBe(marker);
    await fullMesh(await allReady(3));
  });

  test('a template change rolls the pods one at a time, highest ordinal first, each after the previous is Ready', async () => {
    const sts = await getJson(['get', 'statefulset', name, '-n', ns]);
    const oldRevision = sts.status.currentRevision;
    await k([
      'patch',
      'statefulset',
      name,
      '-n',
      ns,
      '--type=merge',
      '-p',
      JSON.stringify({
        spec: { template: { metadata: { annotations: { 'e2e/rolled': String(Date.now()) } } } },
      }),
    ]);
    const seen: { pod: string; created: number; ready: number }[] = [];
    let notReadyAtOnce = 0;
    await waitUntil(
      'the roll to finish',
      async () => {
        const list = await byOrdinal();
        notReadyAtOnce = Math.max(notReadyAtOnce, 3 - list.filter(isReady).length);
        for (const p of list) {
          if (p.metadata.labels['controller-revision-hash'] === oldRevision) continue;
          let entry = seen.find((s) => s.pod === p.metadata.name);
          if (!entry) seen.push((entry = { pod: p.metadata.name, created: Date.now(), ready: 0 }));
          if (isReady(p) && !entry.ready) entry.ready = Date.now();
        }
        return seen.length === 3 && seen.every((s) => s.ready) && list.length === 3;
      },
      300_000,
      200,
    );
    expect(seen.map((s) => s.pod)).toEqual([`${name}-2`, `${name}-1`, `${name}-0`]);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.created).toBeGreaterThanOrEqual(seen[i - 1]!.ready);
    expect(notReadyAtOnce).toBeLessThanOrEqual(1);
    await fullMesh(await allReady(3));
  });
});
