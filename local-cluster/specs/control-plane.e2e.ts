// Proofs about the cluster itself: three Ready nodes, RBAC enforced, the controllers and the
// scheduler working (a Deployment's pod is scheduled and runs). On the local harness also: a
// second control plane, started in a scratch directory, is stopped by `down` with no process left.
import { describe, expect, jest, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { images } from './fixtures.ts';
import {
  apply,
  createNamespace,
  deleteNamespace,
  getJson,
  isReady,
  k,
  pods,
  waitUntil,
  onLocalCluster,
} from '../harness/k8s.ts';
import { kubectl } from '../harness/kubectl.ts';
import { packageRoot } from '../paths.ts';

jest.setTimeout(400_000);
const local = onLocalCluster();

function processesMentioning(text: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (cmd.includes(text) || env.includes(text)) out.push(`${pid} ${cmd}`);
    } catch {
      // gone
    }
  }
  return out;
}

describe('control plane', () => {
  test('has three Ready nodes, enforces RBAC and runs the controllers and the scheduler', async () => {
    const nodes = (await getJson(['get', 'nodes'])).items;
    expect(
      nodes.filter((n: any) =>
        n.status.conditions.some((c: any) => c.type === 'Ready' && c.status === 'True'),
      ).length,
    ).toBeGreaterThanOrEqual(3);
    const ns = await createNamespace('cp');
    try {
      await k(['create', 'serviceaccount', 'nobody', '-n', ns]);
      const canList = await k([
        'auth',
        'can-i',
        'list',
        'secrets',
        '-n',
        ns,
        `--as=system:serviceaccount:${ns}:nobody`,
      ]).catch((e: Error) => e.message);
      expect(canList).toMatch(/no/);
      await apply([
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'sleeper', namespace: ns },
          spec: {
            replicas: 2,
            selector: { matchLabels: { app: 'sleeper' } },
            template: {
              metadata: { labels: { app: 'sleeper' } },
              spec: {
                terminationGracePeriodSeconds: 1,
                containers: [{ name: 'main', image: images.busybox, command: ['sleep', '3600'] }],
              },
            },
          },
        },
      ]);
      const running = await waitUntil(
        '2 Ready sleeper pods',
        async () => {
          const list = await pods(ns, 'app=sleeper');
          return list.length === 2 && list.every(isReady) && list;
        },
        120_000,
      );
      expect(running.every((p: any) => p.metadata.ownerReferences[0].kind === 'ReplicaSet')).toBe(true);
      const token = await k(['create', 'token', 'nobody', '-n', ns]);
      expect(token.split('.').length).toBe(3);
    } finally {
      await deleteNamespace(ns);
    }
  });

  (local ? test : test.skip)('cluster down leaves no process behind', async () => {
    // A second control plane in a scratch directory, driven through the CLI in child processes:
    // the harness reads NATS_WARDEN_CLUSTER_DIR once, at load, so doing this in-process could
    // reuse — and then stop — the cluster the other specs run on.
    const dir = mkdtempSync(join(tmpdir(), 'nats-warden-cluster-'));
    const nodesBefore = JSON.parse(await k(['get', 'nodes', '-o', 'json'])).items.length;
    const cli = (command: string) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        execFile(
          process.execPath,
          [join(packageRoot, 'harness', 'cli.ts'), command],
          { env: { ...process.env, NATS_WARDEN_CLUSTER_DIR: dir }, timeout: 300_000 },
          (error, stdout, stderr) =>
            resolve({
              code: error ? ((error as { code?: number }).code ?? 1) : 0,
              out: `${stdout}${stderr}`,
            }),
        );
      });
    try {
      const started = await cli('up');
      expect(started.code).toBe(0);
      const kubeconfig = join(dir, 'kubeconfig');
      expect(started.out).toContain(kubeconfig);
      await kubectl(kubeconfig, [
        'run',
        'sleeper',
        `--image=${images.busybox}`,
        '--command',
        '--',
        'sleep',
        '3600',
      ]);
      await waitUntil(
        'the sleeper pod Ready',
        async () => isReady(JSON.parse(await kubectl(kubeconfig, ['get', 'pod', 'sleeper', '-o', 'json']))),
        120_000,
      );
      expect(processesMentioning(dir).length).toBeGreaterThan(0);
      expect((await cli('status')).code).toBe(0);
      expect((await cli('down')).code).toBe(0);
      expect(processesMentioning(dir)).toEqual([]);
      expect((await cli('status')).code).not.toBe(0);
      // The cluster the other specs use is untouched.
      expect(JSON.parse(await k(['get', 'nodes', '-o', 'json'])).items.length).toBe(nodesBefore);
    } finally {
      await cli('down');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
