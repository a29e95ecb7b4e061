// The NatsAccount controller as the runtime sees it: it reads accounts, their clusters and users,
// and the cluster's identities, trust bundle and pods; any of these changing re-checks the accounts
// of that cluster (a pod that restarts may have come back with an empty resolver directory).
import type { KubernetesObject, V1ConfigMap, V1Pod, V1Secret } from '@kubernetes/client-node';
import type { NatsAccount, NatsCluster, NatsUser } from '../../api/index.ts';
import { SystemConnections } from '../../nats/system-connections.ts';
import type { LoadedIncludes } from '../loaded-includes.ts';
import { defineController, keyOf, watch, type Controller, type ReadersOf } from '../../runtime/controller.ts';
import { NatsAccountReconciler } from './reconciler.ts';
import { IdentitiesChanges } from '../identities-changes.ts';
import { groupedBySpec } from '../spec-grouping.ts';
import { accountOfSecret, HeldSecrets } from './held-credentials.ts';

const MANAGED = 'app.kubernetes.io/managed-by=nats-warden';
const INSTANCE_LABEL = 'app.kubernetes.io/instance';
const NATS_WARDEN = 'natswarden.io/v1alpha1';

export const natsAccountWatches = {
  accounts: watch<NatsAccount>({ apiVersion: NATS_WARDEN, kind: 'NatsAccount', plural: 'natsaccounts' }),
  clusters: watch<NatsCluster>({ apiVersion: NATS_WARDEN, kind: 'NatsCluster', plural: 'natsclusters' }),
  users: watch<NatsUser>({ apiVersion: NATS_WARDEN, kind: 'NatsUser', plural: 'natsusers' }),
  secrets: watch<V1Secret>({ apiVersion: 'v1', kind: 'Secret', plural: 'secrets', labelSelector: MANAGED }),
  pods: watch<V1Pod>({ apiVersion: 'v1', kind: 'Pod', plural: 'pods', labelSelector: MANAGED }),
  // The accounts' revocation lists (revocation.ts).
  configMaps: watch<V1ConfigMap>({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    plural: 'configmaps',
    labelSelector: MANAGED,
  }),
};
export type NatsAccountWatches = typeof natsAccountWatches;
export type NatsAccountReaders = ReadersOf<NatsAccountWatches>;

/** The keys of every account that names the cluster. */
const accountsOf = (read: NatsAccountReaders, namespace: string | undefined, cluster: string | undefined) =>
  cluster
    ? read.accounts
        .list(namespace)
        .filter((a) => a.spec?.clusterRef?.name === cluster)
        .map((a) => keyOf(a as KubernetesObject))
    : [];

/** @param clusterDomain where the servers' pod names resolve (their monitoring certificates name them) */
/** Accounts of the same cluster that import from `exporter`. */
const importersOf = (read: NatsAccountReaders, exporter: NatsAccount): string[] => {
  const ns = exporter.metadata?.namespace ?? 'default';
  const name = exporter.spec?.accountName ?? exporter.metadata?.name;
  return (groupedBySpec(read.accounts, ns, exportersOf).get(name) ?? [])
    .map((importer) => read.accounts.get(importer, ns))
    .filter((a) => a?.spec?.clusterRef?.name === exporter.spec?.clusterRef?.name)
    .map((a) => keyOf(a as KubernetesObject));
};

/**
 * The accounts an account imports from. Importers are found through a grouping by these, rebuilt
 * only when an account's spec changes: every account event (status writes included) asks for its
 * importers, and scanning 1,000 accounts each time was a hot spot of a cold start.
 */
const exportersOf = (a: NatsAccount): string[] =>
  (a.spec?.imports ?? [])
    .map((i) => (i.stream ?? i.service)?.account)
    .filter((exporter): exporter is string => exporter !== undefined);

/** Accounts of the cluster that an identities Secret change concerns: only those whose key changed. */
function accountsOfIdentities(
  read: NatsAccountReaders,
  changes: IdentitiesChanges,
  secret: KubernetesObject,
  cluster: string,
): string[] {
  const ns = secret.metadata?.namespace;
  const change = changes.ofEvent(secret, (n, namespace) => read.secrets.get(n, namespace));
  if (change.all) return accountsOf(read, ns, cluster);
  const ofUsers = [...change.users].map((u) => read.users.get(u, ns)?.spec?.accountRef?.name);
  const concerned = read.accounts
    .list(ns)
    .filter(
      (a) =>
        a.spec?.clusterRef?.name === cluster &&
        (change.accounts.has(a.spec?.accountName ?? a.metadata?.name) || ofUsers.includes(a.metadata?.name)),
    );
  // Importers embed an exporter's public key and its signed activation tokens: they follow its key.
  return [
    ...new Set([
      ...concerned.map((a) => keyOf(a as KubernetesObject)),
      ...concerned.flatMap((a) => importersOf(read, a)),
    ]),
  ];
}

export function natsAccountController(clusterDomain: string, loadedIncludes: LoadedIncludes): Controller {
  const connections = new SystemConnections();
  const identities = new IdentitiesChanges();
  const held = new HeldSecrets();
  return defineController<NatsAccountWatches>({
    name: 'natsaccount',
    watches: natsAccountWatches,
    primary: 'accounts',
    keysFor(from, o, read) {
      const ns = o.metadata?.namespace;
      switch (from) {
        case 'accounts':
          // Its importers too: their activation tokens follow its exports.
          return [keyOf(o), ...importersOf(read, o as NatsAccount)];
        case 'clusters':
          return accountsOf(read, ns, o.metadata?.name);
        case 'users': {
          const account = (o as NatsUser).spec?.accountRef?.name;
          return account ? [`${ns ?? 'default'}/${account}`] : [];
        }
        default: {
          const instance = o.metadata?.labels?.[INSTANCE_LABEL];
          // A user's credentials Secret (the keys it holds and retired) concerns the account it was
          // signed for, which a deleting one (its user maybe gone) asks to revoke it (ADR 16).
          if (o.metadata?.labels?.['app.kubernetes.io/name'] === 'nats-credentials') {
            const signedFor = accountOfSecret(o);
            const account = read.users.get(instance ?? '', ns)?.spec?.accountRef?.name;
            const ofUser = account ? `${ns ?? 'default'}/${account}` : undefined;
            held.observe(o, signedFor ?? ofUser);
            return [...new Set([signedFor, ofUser].filter((k): k is string => !!k))];
          }
          // The cluster's own children carry its name as their instance label.
          if (instance && o.metadata?.name === `${instance}-identities`)
            return accountsOfIdentities(read, identities, o, instance);
          return accountsOf(read, ns, instance);
        }
      }
    },
    reconciler: (context) =>
      new NatsAccountReconciler(context, connections, clusterDomain, loadedIncludes, held),
    // A reconcile mostly waits on the servers' replies: more of them at once, not more CPU each.
    minWorkers: 8,
  });
}
