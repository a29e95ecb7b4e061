// The kubelet's sync loop for all its nodes: every tick it provisions pending PVCs, starts a worker
// for each new pod bound to one of its nodes, hands every worker the pod's latest object, and kills
// workers whose pods have disappeared from the API.
import type { Api } from './api.ts';
import type { Cache } from './cache.ts';
import { hostsFile } from './hosts.ts';
import { Ipam } from './ipam.ts';
import { PodWorker, type PodContext } from './pod.ts';
import { provision } from './provisioner.ts';
import type { Obj } from './types.ts';

export class Manager {
  private readonly workers = new Map<string, PodWorker>();
  private readonly nodes: Set<string>;
  private readonly ipam: Ipam;
  private readonly ctx: PodContext;
  private readonly api: Api;
  private readonly cache: Cache;
  private readonly dir: string;

  constructor(api: Api, cache: Cache, dir: string, nodes: string[], binDir: string, apiserverPort: number) {
    this.api = api;
    this.cache = cache;
    this.dir = dir;
    this.nodes = new Set(nodes);
    this.ipam = new Ipam(dir);
    const podIPs = () => new Map([...this.workers.entries()].map(([uid, w]) => [uid, w.podIP]));
    this.ctx = {
      api,
      cache,
      dir,
      binDir,
      apiserverPort,
      hostsFor: (pod: Obj, podIP: string) => hostsFile(cache, pod, podIP, podIPs(), '127.0.0.1'),
    };
  }

  async tick(): Promise<void> {
    await provision(this.api, this.cache, this.dir);
    const seen = new Set<string>();
    const work: Promise<void>[] = [];
    for (const pod of this.cache.all('pods')) {
      if (!this.nodes.has(pod.spec.nodeName)) continue;
      const uid: string = pod.metadata.uid;
      seen.add(uid);
      let worker = this.workers.get(uid);
      if (!worker) {
        if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
        worker = new PodWorker(
          this.ctx,
          pod,
          this.ipam.addressFor(pod.metadata.namespace, pod.metadata.name),
        );
        this.workers.set(uid, worker);
        process.stderr.write(
          `kubelet: ${pod.spec.nodeName}: starting pod ${pod.metadata.namespace}/${pod.metadata.name} at ${worker.podIP}\n`,
        );
      }
      work.push(
        worker.tick(pod).catch((error: unknown) => {
          process.stderr.write(
            `kubelet: pod ${pod.metadata.namespace}/${pod.metadata.name}: ${String(error)}\n`,
          );
        }),
      );
    }
    // Termination runs for the grace period; do not hold the loop for it.
    await Promise.race([Promise.all(work), new Promise((r) => setTimeout(r, 2_000))]);
    for (const [uid, worker] of this.workers) {
      if (!seen.has(uid)) {
        worker.killNow();
        this.workers.delete(uid);
      }
    }
  }

  killAll(): void {
    for (const worker of this.workers.values()) worker.killNow();
    this.workers.clear();
  }
}
