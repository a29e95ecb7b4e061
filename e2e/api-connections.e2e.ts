// The operator's API client keeps one pool of connections (src/k8s/pooled-kubeconfig.ts): thirty
// requests one after another open at most one new connection. client-node's own KubeConfig opens
// one per request (a new undici Agent each time), which is checked here too, so that the day
// client-node pools by itself this spec says the wrapper can go.
import { describe, expect, jest, test } from '@jest/globals';
import { kubeconfig } from '@nats-warden/local-cluster';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { Kube, loadKubeConfig } from '../src/k8s/client.ts';

jest.setTimeout(120_000);
const REQUESTS = 30;

/** This process's established TCP connections to the API server (its sockets, from /proc). */
function apiConnections(): number {
  const port = new URL(loadKubeConfig(kubeconfig()).getCurrentCluster()!.server).port;
  const inodes = new Set(
    readdirSync('/proc/self/fd')
      .map((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`);
        } catch {
          return ''; // closed meanwhile
        }
      })
      .filter((link) => link.startsWith('socket:['))
      .map((link) => link.slice('socket:['.length, -1)),
  );
  const remotePort = Number(port).toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/self/net/tcp', '/proc/self/net/tcp6']
    .flatMap((file) => readFileSync(file, 'utf8').trim().split('\n').slice(1))
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f[2]?.endsWith(`:${remotePort}`) && f[3] === '01' && inodes.has(f[9]!)).length;
}

async function newSocketsFor(kube: Kube): Promise<number> {
  const before = apiConnections();
  for (let i = 0; i < REQUESTS; i++) await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: 'default' });
  return apiConnections() - before;
}

describe('the API client', () => {
  test(`${REQUESTS} requests in a row share one kept-alive connection`, async () => {
    expect(await newSocketsFor(new Kube(loadKubeConfig(kubeconfig())))).toBeLessThanOrEqual(1);
  });

  test("client-node's own KubeConfig opens a connection per request (why the pool exists)", async () => {
    const plain = new KubeConfig();
    plain.loadFromFile(kubeconfig());
    expect(await newSocketsFor(new Kube(plain))).toBeGreaterThanOrEqual(REQUESTS / 2);
  });
});
