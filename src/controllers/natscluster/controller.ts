// The NatsCluster controller as the runtime sees it: the kinds it reads (its children selected by
// the managed-by label), how an event on each maps to a NatsCluster key, and its reconciler.
import type { KubernetesObject, V1Pod, V1Secret, V1StatefulSet } from '@kubernetes/client-node';
import type { Certificate, CertificateRequest, ClusterIssuer, Issuer } from '../../api/cert-manager.ts';
import type { NatsAccount, NatsCluster, NatsUser } from '../../api/index.ts';
import type { LoadedIncludes } from '../loaded-includes.ts';
import { defineController, keyOf, watch, type Controller, type ReadersOf } from '../../runtime/controller.ts';
import { NatsClusterReconciler, type ReconcilerOptions } from './reconciler.ts';

const MANAGED = 'app.kubernetes.io/managed-by=nats-warden';
const INSTANCE_LABEL = 'app.kubernetes.io/instance';
const CERT_MANAGER = 'cert-manager.io/v1';
const NATS_WARDEN = 'natswarden.io/v1alpha1';

export const natsClusterWatches = {
  clusters: watch<NatsCluster>({ apiVersion: NATS_WARDEN, kind: 'NatsCluster', plural: 'natsclusters' }),
  accounts: watch<NatsAccount>({ apiVersion: NATS_WARDEN, kind: 'NatsAccount', plural: 'natsaccounts' }),
  users: watch<NatsUser>({ apiVersion: NATS_WARDEN, kind: 'NatsUser', plural: 'natsusers' }),
  certificates: watch<Certificate>({
    apiVersion: CERT_MANAGER,
    kind: 'Certificate',
    plural: 'certificates',
    labelSelector: MANAGED,
  }),
  // cert-manager copies a Certificate's labels onto its CertificateRequests.
  certificateRequests: watch<CertificateRequest>({
    apiVersion: CERT_MANAGER,
    kind: 'CertificateRequest',
    plural: 'certificaterequests',
    labelSelector: MANAGED,
  }),
  // Every Issuer, not only ours: a NatsCluster may name one of the user's (spec.tls.issuerRef).
  issuers: watch<Issuer>({ apiVersion: CERT_MANAGER, kind: 'Issuer', plural: 'issuers' }),
  clusterIssuers: watch<ClusterIssuer>(
    { apiVersion: CERT_MANAGER, kind: 'ClusterIssuer', plural: 'clusterissuers' },
    true,
  ),
  secrets: watch<V1Secret>({ apiVersion: 'v1', kind: 'Secret', plural: 'secrets', labelSelector: MANAGED }),
  statefulSets: watch<V1StatefulSet>({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    plural: 'statefulsets',
    labelSelector: MANAGED,
  }),
  pods: watch<V1Pod>({ apiVersion: 'v1', kind: 'Pod', plural: 'pods', labelSelector: MANAGED }),
};
export type NatsClusterWatches = typeof natsClusterWatches;
export type NatsClusterReaders = ReadersOf<NatsClusterWatches>;

const clusterKey = (namespace: string | undefined, name: string | undefined): string[] =>
  name ? [`${namespace ?? 'default'}/${name}`] : [];

/** The cluster a NatsAccount refers to. */
const accountCluster = (read: NatsClusterReaders, namespace: string | undefined, account: string) =>
  read.accounts.get(account, namespace)?.spec?.clusterRef?.name;

/** A child's cluster: its instance label, or for a user's credentials, through user -> account. */
function ownerClusterKeys(read: NatsClusterReaders, o: KubernetesObject): string[] {
  const ns = o.metadata?.namespace;
  const instance = o.metadata?.labels?.[INSTANCE_LABEL];
  const ofUser =
    o.metadata?.ownerReferences?.some((ref) => ref.kind === 'NatsUser') ||
    o.metadata?.labels?.['app.kubernetes.io/name'] === 'nats-credentials';
  if (!ofUser) return clusterKey(ns, instance);
  const account = read.users.get(instance ?? '', ns)?.spec?.accountRef?.name;
  return clusterKey(ns, account ? accountCluster(read, ns, account) : undefined);
}

/** Clusters whose certificates an issuer signs: the one naming it, or the one it was bootstrapped for. */
function issuerClusterKeys(read: NatsClusterReaders, kind: string, issuer: KubernetesObject): string[] {
  const namespace = kind === 'Issuer' ? issuer.metadata?.namespace : undefined;
  return read.clusters
    .list(namespace)
    .filter((cluster) => {
      const ref = cluster.spec?.tls?.issuerRef;
      const named = !!ref && ref.name === issuer.metadata?.name && (ref.kind ?? 'Issuer') === kind;
      return named || issuer.metadata?.labels?.[INSTANCE_LABEL] === cluster.metadata.name;
    })
    .map((cluster) => keyOf(cluster as KubernetesObject));
}

/** @param loadedIncludes which auth include each server has loaded, shared with the NatsAccount controller */
export function natsClusterController(
  options: ReconcilerOptions,
  loadedIncludes: LoadedIncludes,
): Controller {
  return defineController<NatsClusterWatches>({
    name: 'natscluster',
    watches: natsClusterWatches,
    primary: 'clusters',
    keysFor(from, o, read) {
      const ns = o.metadata?.namespace;
      switch (from) {
        case 'clusters':
          return [keyOf(o)];
        case 'accounts':
          return clusterKey(ns, (o as NatsAccount).spec?.clusterRef?.name);
        case 'users': {
          const account = (o as NatsUser).spec?.accountRef?.name;
          return clusterKey(ns, account ? accountCluster(read, ns, account) : undefined);
        }
        case 'issuers':
          return issuerClusterKeys(read, 'Issuer', o);
        case 'clusterIssuers':
          return issuerClusterKeys(read, 'ClusterIssuer', o);
        default:
          return ownerClusterKeys(read, o);
      }
    },
    reconciler: (context) => new NatsClusterReconciler(context, options, loadedIncludes),
    // A reconcile renders and applies the whole cluster. Thousands of NatsUser and NatsAccount events
    // in a burst (a cold start, a bulk apply) become one reconcile a second instead of one after another.
    settleMs: 1_000,
  });
}
