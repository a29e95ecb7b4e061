// Wires the operator together: caches for NatsCluster and every kind it reads, a work queue fed by
// their events, leader election (only the leader reconciles; standbys keep warm caches), periodic
// resync to repair drift, and the health/metrics server.
import type { KubernetesObject } from '@kubernetes/client-node';
import { hostname } from 'node:os';
import type { NatsAccount, NatsCluster } from '../api/index.ts';
import { NatsClusterReconciler } from '../controllers/natscluster/reconciler.ts';
import { Kube, loadKubeConfig } from '../k8s/client.ts';
import { EventRecorder } from '../k8s/events.ts';
import { makeCache, type Cache, type WatchedKind } from '../k8s/informers.ts';
import { DEFAULT_LEASE, LeaderElector } from '../k8s/leader-election.ts';
import { runWorkers } from './controller-loop.ts';
import { startHealthServer } from './health-server.ts';
import { createLogger } from './logger.ts';
import { OperatorMetrics } from './metrics.ts';
import { multiCache } from './multi-cache.ts';
import { WorkQueue } from './work-queue.ts';

export interface OperatorOptions {
  kubeconfig?: string;
  /** Namespaces to watch; all when empty. */
  namespaces: string[];
  healthHost: string;
  healthPort: number;
  leaderElection: boolean;
  leaseNamespace: string;
  identity?: string;
  clusterDomain: string;
  defaultImage: string;
  operatorImage: string;
  workers: number;
}

const INSTANCE_LABEL = 'app.kubernetes.io/instance';
const MANAGED = 'app.kubernetes.io/managed-by=nats-warden';
const KINDS = {
  clusters: { apiVersion: 'natswarden.io/v1alpha1', kind: 'NatsCluster', plural: 'natsclusters' },
  accounts: { apiVersion: 'natswarden.io/v1alpha1', kind: 'NatsAccount', plural: 'natsaccounts' },
  users: { apiVersion: 'natswarden.io/v1alpha1', kind: 'NatsUser', plural: 'natsusers' },
  certificates: {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    plural: 'certificates',
    labelSelector: MANAGED,
  },
  // cert-manager copies a Certificate's labels onto its CertificateRequests.
  certificateRequests: {
    apiVersion: 'cert-manager.io/v1',
    kind: 'CertificateRequest',
    plural: 'certificaterequests',
    labelSelector: MANAGED,
  },
  // Every Issuer, not only ours: a NatsCluster may name one of the user's (spec.tls.issuerRef).
  issuers: { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', plural: 'issuers' },
  clusterIssuers: {
    apiVersion: 'cert-manager.io/v1',
    kind: 'ClusterIssuer',
    plural: 'clusterissuers',
    clusterScoped: true,
  },
  secrets: { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', labelSelector: MANAGED },
  statefulSets: {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    plural: 'statefulsets',
    labelSelector: MANAGED,
  },
  pods: { apiVersion: 'v1', kind: 'Pod', plural: 'pods', labelSelector: MANAGED },
} satisfies Record<string, Omit<WatchedKind, 'namespace'> & { clusterScoped?: boolean }>;

export async function runOperator(options: OperatorOptions): Promise<{ stop: () => Promise<void> }> {
  const log = createLogger();
  const metrics = new OperatorMetrics();
  const kc = loadKubeConfig(options.kubeconfig);
  const kube = new Kube(kc);
  const namespaces: (string | undefined)[] = options.namespaces.length ? options.namespaces : [undefined];
  const caches = Object.fromEntries(
    Object.entries(KINDS as Record<string, WatchedKind & { clusterScoped?: boolean }>).map(
      ([key, { clusterScoped, ...kind }]) => [
        key,
        clusterScoped
          ? makeCache(kc, kube, kind)
          : multiCache(
              new Map(
                namespaces.map((ns) => [
                  ns,
                  makeCache(kc, kube, { ...kind, ...(ns ? { namespace: ns } : {}) }),
                ]),
              ),
            ),
      ],
    ),
  ) as Record<keyof typeof KINDS, Cache>;

  const queue = new WorkQueue();
  const keyOf = (o: KubernetesObject) => `${o.metadata?.namespace ?? 'default'}/${o.metadata?.name ?? ''}`;
  const enqueueCluster = (namespace: string | undefined, name: string | undefined) =>
    name && queue.add(`${namespace ?? 'default'}/${name}`);
  const accountCluster = (ns: string | undefined, account: string) =>
    (caches.accounts.get(account, ns) as NatsAccount | undefined)?.spec.clusterRef.name;
  const userCluster = (ns: string | undefined, user: string) =>
    accountCluster(
      ns,
      (caches.users.get(user, ns) as { spec?: { accountRef?: { name: string } } } | undefined)?.spec
        ?.accountRef?.name ?? '',
    );
  // A user's client Certificate (and its requests and Secret) carries the user's name as instance.
  const enqueueOwnerCluster = (o: KubernetesObject) => {
    const instance = o.metadata?.labels?.[INSTANCE_LABEL];
    const ownedByUser = o.metadata?.ownerReferences?.some((ref) => ref.kind === 'NatsUser');
    const requestOfUser = o.metadata?.labels?.['app.kubernetes.io/name'] === 'nats-credentials';
    enqueueCluster(
      o.metadata?.namespace,
      ownedByUser || requestOfUser ? userCluster(o.metadata?.namespace, instance ?? '') : instance,
    );
  };
  // An issuer's readiness decides whether a cluster's certificates can be issued.
  const enqueueIssuerUsers = (kind: string, issuer: KubernetesObject) => {
    for (const cluster of caches.clusters.list(kind === 'Issuer' ? issuer.metadata?.namespace : undefined)) {
      const ref = (cluster as NatsCluster).spec?.tls?.issuerRef;
      const named = ref ? ref.name === issuer.metadata?.name && (ref.kind ?? 'Issuer') === kind : false;
      const bootstrap = issuer.metadata?.labels?.[INSTANCE_LABEL] === cluster.metadata?.name;
      if (named || bootstrap) queue.add(keyOf(cluster));
    }
  };
  const handlers: [Cache, (o: KubernetesObject) => void][] = [
    [caches.clusters, (o) => queue.add(keyOf(o))],
    [
      caches.accounts,
      (o) => enqueueCluster(o.metadata?.namespace, (o as NatsAccount).spec?.clusterRef?.name),
    ],
    [
      caches.users,
      (o) =>
        enqueueCluster(
          o.metadata?.namespace,
          accountCluster(
            o.metadata?.namespace,
            (o as { spec?: { accountRef?: { name: string } } }).spec?.accountRef?.name ?? '',
          ),
        ),
    ],
    [caches.certificates, (o) => enqueueOwnerCluster(o)],
    [caches.certificateRequests, (o) => enqueueOwnerCluster(o)],
    [caches.secrets, (o) => enqueueOwnerCluster(o)],
    [caches.issuers, (o) => enqueueIssuerUsers('Issuer', o)],
    [caches.clusterIssuers, (o) => enqueueIssuerUsers('ClusterIssuer', o)],
    [caches.statefulSets, (o) => enqueueCluster(o.metadata?.namespace, o.metadata?.labels?.[INSTANCE_LABEL])],
    [caches.pods, (o) => enqueueCluster(o.metadata?.namespace, o.metadata?.labels?.[INSTANCE_LABEL])],
  ];
  for (const [cache, handler] of handlers)
    for (const verb of ['add', 'update', 'delete'] as const) cache.on(verb, handler);
  for (const [name, cache] of Object.entries(caches))
    cache.on('error', (err: unknown) =>
      log.warn({ cache: name, error: String(err) }, 'watch failed; reconnecting'),
    );

  let synced = false;
  const server = await startHealthServer(options.healthPort, options.healthHost, metrics, () => synced);
  await Promise.all(Object.values(caches).map((c) => c.start()));
  synced = true;
  log.info({ namespaces: options.namespaces }, 'caches synced');

  const reconciler = new NatsClusterReconciler(kube, caches, new EventRecorder(kube), metrics, log, options);
  const resync = setInterval(() => caches.clusters.list().forEach((o) => queue.add(keyOf(o))), 5 * 60_000);
  const startWorking = () => {
    metrics.leader.set(1);
    log.info({ identity: options.identity }, 'leading: reconciling');
    caches.clusters.list().forEach((o) => queue.add(keyOf(o)));
    void runWorkers('natscluster', queue, reconciler, options.workers, metrics, log);
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
      queue.shutdown();
      await elector?.release().catch(() => undefined);
      await Promise.all(Object.values(caches).map((c) => c.stop()));
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
