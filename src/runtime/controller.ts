// What a controller tells the manager, the way controller-runtime's SetupWithManager does: the
// kinds it reads (each with its label selector), how an event on each maps to its own keys, and how
// to build its reconciler. The manager owns the caches, queues, leader election and resync, and
// knows no concrete kind; adding a controller touches no file of the runtime.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Kube } from '../k8s/client.ts';
import type { EventRecorder } from '../k8s/events.ts';
import type { WatchedKind } from '../k8s/informers.ts';
import type { Logger } from './logger.ts';
import type { OperatorMetrics } from './metrics.ts';

/** A typed read-only view of one informer cache. */
export interface Reader<T> {
  get(name: string, namespace?: string): T | undefined;
  list(namespace?: string): T[];
  /** Grows with every change the cache sees: equal versions, equal contents (for memoizing work on list()). */
  version(): number;
  /**
   * Grows when an object is added or deleted or its metadata.generation changes (its spec): status,
   * label and finalizer writes leave it, so work that depends on specs alone is memoized across them.
   */
  specVersion(): number;
}

/** One kind a controller reads. Caches are shared by every controller naming the same kind and selector. */
export interface Watch<T = KubernetesObject> {
  kind: Omit<WatchedKind, 'namespace'>;
  /** Cluster-scoped kinds get one cache whatever namespaces the operator watches. */
  clusterScoped?: boolean;
  /** Carries the object type for the typed reader; never set at run time. */
  readonly type?: T;
}

export const watch = <T>(kind: Omit<WatchedKind, 'namespace'>, clusterScoped = false): Watch<T> =>
  clusterScoped ? { kind, clusterScoped } : { kind };

export type Watches = Record<string, Watch<unknown>>;
export type ReadersOf<W extends Watches> = {
  [K in keyof W]: W[K] extends Watch<infer T> ? Reader<T> : never;
};

export interface Reconciler {
  reconcile(key: string): Promise<{ requeueAfterMs?: number }>;
}

export interface ControllerContext<W extends Watches> {
  kube: Kube;
  readers: ReadersOf<W>;
  events: EventRecorder;
  metrics: OperatorMetrics;
  log: Logger;
}

export interface Controller<W extends Watches = Watches> {
  /** Names the work queue, the metrics and the log lines. */
  name: string;
  watches: W;
  /** The watch whose objects are this controller's keys: leadership and resync enqueue them all. */
  primary: keyof W & string;
  /** This controller's keys (namespace/name) that an event on `object`, of watch `from`, concerns. */
  keysFor(from: keyof W & string, object: KubernetesObject, readers: ReadersOf<W>): string[];
  reconciler(context: ControllerContext<W>): Reconciler;
  /** At least this many workers, whatever --workers says: for reconciles that mostly wait on servers. */
  minWorkers?: number;
  /** One key runs at most once per this many milliseconds (work-queue.ts): for costly, whole-object reconciles. */
  settleMs?: number;
}

/** Lets the manager hold controllers of different watch sets in one list. */
export const defineController = <W extends Watches>(controller: Controller<W>): Controller =>
  controller as unknown as Controller;

export const keyOf = (o: KubernetesObject): string =>
  `${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`;
