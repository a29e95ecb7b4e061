// Runs a list of controllers: one informer cache per watched kind and selector, shared by every
// controller that reads it; one work queue per controller fed by its own event-to-key mapping;
// leader election (only the leader reconciles; standbys keep warm caches); periodic resync to
// repair drift; the health and metrics server. It knows no concrete kind (controller.ts).
import type { KubernetesObject } from '@kubernetes/client-node';
import { hostname } from 'node:os';
import { Kube, loadKubeConfig } from '../k8s/client.ts';
import { EventRecorder } from '../k8s/events.ts';
import { makeCache, type Cache } from '../k8s/informers.ts';
import { DEFAULT_LEASE, LeaderElector } from '../k8s/leader-election.ts';
import { keyOf, type Controller, type ReadersOf, type Watch, type Watches } from './controller.ts';
import { runWorkers } from './controller-loop.ts';
import { startHealthServer } from './health-server.ts';
import { createLogger } from './logger.ts';
import { OperatorMetrics } from './metrics.ts';
import { multiCache } from './multi-cache.ts';
import { WorkQueue } from './work-queue.ts';

export interface ManagerOptions {
  kubeconfig?: string;
  /** Namespaces to watch; all when empty. */
  namespaces: string[];
  healthHost: string;
  healthPort: number;
  leaderElection: boolean;
  leaseNamespace: string;
  identity?: string;
  workers: number;
}

const RESYNC_MS = 5 * 60_000;
const cacheKey = ({ kind, clusterScoped }: Watch<unknown>) =>
  `${kind.apiVersion}/${kind.kind}?${kind.labelSelector ?? ''}${clusterScoped ? '#cluster' : ''}`;

export async function runManager(
  options: ManagerOptions,
  controllers: Controller[],
): Promise<{ stop: () => Promise<void> }> {
  const log = createLogger();
  const metrics = new OperatorMetrics();
  const kc = loadKubeConfig(options.kubeconfig);
  const kube = new Kube(kc);
  const namespaces: (string | undefined)[] = options.namespaces.length ? options.namespaces : [undefined];

  const caches = new Map<string, Cache>();
  const cacheFor = (w: Watch<unknown>): Cache => {
    const key = cacheKey(w);
    let cache = caches.get(key);
    if (!cache) {
      cache = w.clusterScoped
        ? makeCache(kc, kube, w.kind)
        : multiCache(
            new Map(
              namespaces.map((ns) => [
                ns,
                makeCache(kc, kube, { ...w.kind, ...(ns ? { namespace: ns } : {}) }),
              ]),
            ),
          );
      cache.on('error', (err: unknown) =>
        log.warn({ cache: key, error: String(err) }, 'watch failed; reconnecting'),
      );
      caches.set(key, cache);
    }
    return cache;
  };

  // Each cache's change count, and its count of spec changes (generation-keyed), so a controller
  // can reuse work done on an unchanged list (controller.ts Reader).
  const counts = new Map<Cache, { all: number; specs: number }>();
  const readerOf = (w: Watch<unknown>) => {
    const cache = cacheFor(w);
    let count = counts.get(cache);
    if (!count) {
      const counted = { all: 0, specs: 0 };
      counts.set(cache, (count = counted));
      const generations = new Map<string, number | undefined>();
      const keyOfObject = (o: KubernetesObject) => `${o.metadata?.uid ?? keyOf(o)}`;
      cache.on('add', (o: KubernetesObject) => {
        counted.all++;
        counted.specs++;
        generations.set(keyOfObject(o), o.metadata?.generation);
      });
      cache.on('update', (o: KubernetesObject) => {
        counted.all++;
        const key = keyOfObject(o);
        if (generations.get(key) === o.metadata?.generation && generations.has(key)) return;
        counted.specs++;
        generations.set(key, o.metadata?.generation);
      });
      cache.on('delete', (o: KubernetesObject) => {
        counted.all++;
        counted.specs++;
        generations.delete(keyOfObject(o));
      });
    }
    const counted = count;
    return {
      get: (name: string, namespace?: string) => cache.get(name, namespace),
      list: (namespace?: string) => cache.list(namespace),
      version: () => counted.all,
      specVersion: () => counted.specs,
    };
  };

  const running = controllers.map((controller) => {
    const queue = new WorkQueue(undefined, undefined, controller.settleMs ?? 0);
    const readers = Object.fromEntries(
      Object.entries(controller.watches).map(([name, w]) => [name, readerOf(w)]),
    ) as unknown as ReadersOf<Watches>;
    for (const [name, w] of Object.entries(controller.watches)) {
      const enqueue = (o: KubernetesObject) =>
        controller.keysFor(name, o, readers).forEach((key) => queue.add(key));
      for (const verb of ['add', 'update', 'delete'] as const) cacheFor(w).on(verb, enqueue);
    }
    const primary = cacheFor(controller.watches[controller.primary] as Watch<unknown>);
    const enqueueAll = () => primary.list().forEach((o) => queue.add(keyOf(o)));
    return { controller, queue, readers, enqueueAll };
  });

  let synced = false;
  const server = await startHealthServer(options.healthPort, options.healthHost, metrics, () => synced);
  await Promise.all([...caches.values()].map((c) => c.start()));
  synced = true;
  log.info({ namespaces: options.namespaces, caches: caches.size }, 'caches synced');

  const events = new EventRecorder(kube);
  const resync = setInterval(() => running.forEach((r) => r.enqueueAll()), RESYNC_MS);
  const startWorking = () => {
    metrics.leader.set(1);
    log.info({ identity: options.identity }, 'leading: reconciling');
    for (const { controller, queue, readers, enqueueAll } of running) {
      const reconciler = controller.reconciler({ kube, readers, events, metrics, log });
      enqueueAll();
      const workers = Math.max(options.workers, controller.minWorkers ?? 0);
      void runWorkers(controller.name, queue, reconciler, workers, metrics, log);
    }
  };

  const identity = options.identity ?? `${hostname()}-${process.pid}`;
  const elector = options.leaderElection
    ? new LeaderElector(kube, {
        namespace: options.leaseNamespace,
        name: 'nats-warden-leader',
        identity,
        ...DEFAULT_LEASE,
      })
    : undefined;
  if (elector) {
    void elector.run(startWorking, () => {
      log.error('lost leadership; exiting so a fresh process can stand by');
      process.exit(1);
    });
  } else startWorking();

  return {
    stop: async () => {
      clearInterval(resync);
      running.forEach((r) => r.queue.shutdown());
      await elector?.release().catch(() => undefined);
      await Promise.all([...caches.values()].map((c) => c.stop()));
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
