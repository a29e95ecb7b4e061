// Proof that deleting a namespace removes everything in it: the namespace controller deletes the
// StatefulSet, pods, PVCs, Secrets and ConfigMaps, the kubelet stops the pods' processes, and the
// namespace disappears. On the local cluster no container of the namespace's pods is left running in
// any node's containerd.
import { describe, expect, jest, test } from '@jest/globals';
import { natsStatefulSet } from './fixtures.ts';
import { apply, createNamespace, isReady, k, onLocalCluster, pods, waitUntil } from '../harness/k8s.ts';
import { runningContainersOf } from '../node/real-node.ts';

jest.setTimeout(400_000);

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
    const local = onLocalCluster();
    if (local) expect(runningContainersOf(ns).length).toBeGreaterThan(0);
    await k(['delete', 'namespace', ns, '--wait=true', '--timeout=240s'], undefined, 250_000);
    expect(await k(['get', 'namespace', ns, '--ignore-not-found'])).toBe('');
    expect(
      (await k(['get', 'pv', '-o', 'jsonpath={.items[*].spec.claimRef.namespace}'])).split(' '),
    ).not.toContain(ns);
    if (local)
      await waitUntil(
        'no running container of the namespace',
        async () => runningContainersOf(ns).length === 0,
        15_000,
      );
  });
});
