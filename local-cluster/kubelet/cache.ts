// Level-triggered view of the cluster: every resource the kubelet reads is listed cluster-wide on a
// short interval and kept in memory. A tiny test cluster makes this cheap, and polling has no watch
// bookkeeping to get wrong; every decision the kubelet takes is made again on the next tick.
import type { Api } from './api.ts';
import type { Obj } from './types.ts';

export const resources = {
  pods: '/api/v1/pods',
  secrets: '/api/v1/secrets',
  configmaps: '/api/v1/configmaps',
  services: '/api/v1/services',
  endpointslices: '/apis/discovery.k8s.io/v1/endpointslices',
  pvcs: '/api/v1/persistentvolumeclaims',
  pvs: '/api/v1/persistentvolumes',
} as const;

export type Resource = keyof typeof resources;

export class Cache {
  private readonly api: Api;
  private readonly items = new Map<Resource, Obj[]>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(api: Api) {
    this.api = api;
  }

  async refresh(): Promise<void> {
    await Promise.all(
      (Object.keys(resources) as Resource[]).map(async (r) => {
        this.items.set(r, await this.api.list(resources[r]));
      }),
    );
  }

  /** Refreshes every `ms` and calls `onTick` after each refresh; errors are logged and retried. */
  start(ms: number, onTick: () => Promise<void>): void {
    const tick = async () => {
      if (this.running) return;
      this.running = true;
      try {
        await this.refresh();
        await onTick();
      } catch (error) {
        process.stderr.write(`kubelet: tick: ${String(error)}\n`);
      } finally {
        this.running = false;
      }
    };
    this.timer = setInterval(() => void tick(), ms);
    void tick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  all(r: Resource): Obj[] {
    return this.items.get(r) ?? [];
  }

  find(r: Resource, namespace: string | undefined, name: string): Obj | undefined {
    return this.all(r).find(
      (o) => o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace),
    );
  }
}
