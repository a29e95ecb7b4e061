// Proof that deleting a namespace removes everything in it: the namespace controller deletes the
// StatefulSet, pods, PVCs, Secrets and ConfigMaps, the kubelet stops the pods' processes, and the
// namespace disappears. On the local control plane, no process of the namespace's pods is left
// (on real nodes: no running container in any node's containerd).
import { describe, expect, jest, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { natsStatefulSet } from './fixtures.ts';
import { apply, createNamespace, isReady, k, pods, waitUntil } from '../harness/k8s.ts';
import { realNodesOnly, runningContainersOf } from '../node/real-node.ts';

jest.setTimeout(400_000);

/** PIDs of processes the process kubelet started for pods in `ns` (it marks them NATS_WARDEN_POD). */
function processesOf(ns: string): (number | string)[] {
  if (realNodesOnly()) return runningContainersOf(ns);
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      if (
        readFileSync(`/proc/${pid}/environ`, 'utf8')
          .split('\0')
          .some((v) => v.startsWith(`NATS_WARDEN_POD=${ns}/`))
      )
        out.push(Number(pid));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

describe('namespace deletion', () => {
  test('deleting the namespace removes everything in it', async () => {
    const ns = await createNamespace('gone');
    await apply(natsStatefulSet(ns, 'nats', 2));
    await waitUntil(
      '2 Ready pods',
      async () => {
        const list = await pods(ns, 'app=nats');
        return list.length === 2 && list.every(isReady);
      },
      240_000,
    );
    const local = process.env.NATS_WARDEN_E2E_HARNESS === '1';
    if (local) expect(processesOf(ns).length).toBeGreaterThan(0);
    await k(['delete', 'namespace', ns, '--wait=true', '--timeout=240s'], undefined, 250_000);
    expect(await k(['get', 'namespace', ns, '--ignore-not-found'])).toBe('');
    expect(
      (await k(['get', 'pv', '-o', 'jsonpath={.items[*].spec.claimRef.namespace}'])).split(' '),
    ).not.toContain(ns);
    if (local)
      await waitUntil('no processes of the namespace', async () => processesOf(ns).length === 0, 15_000);
  });
});
