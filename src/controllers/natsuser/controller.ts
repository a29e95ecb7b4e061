// The NatsUser controller as the runtime sees it: JWT-mode (Creds) users get their key, their signed
// JWT and their credentials Secret here, one user at a time, without a reconcile of the whole
// cluster (a JWT-mode server needs no per-user configuration). Users of Config-mode clusters are in
// the servers' configuration, so the cluster controller generates theirs (controllers/natscluster).
import type { KubernetesObject, V1Secret } from '@kubernetes/client-node';
import type { NatsAccount, NatsCluster, NatsUser } from '../../api/index.ts';
import { defineController, keyOf, watch, type Controller, type ReadersOf } from '../../runtime/controller.ts';
import { NatsUserReconciler } from './reconciler.ts';
import { IdentitiesChanges } from '../identities-changes.ts';
import { usersOfAccount } from '../users-by-account.ts';

const NATS_WARDEN = 'natswarden.io/v1alpha1';
const INSTANCE_LABEL = 'app.kubernetes.io/instance';

export const natsUserWatches = {
  users: watch<NatsUser>({ apiVersion: NATS_WARDEN, kind: 'NatsUser', plural: 'natsusers' }),
  accounts: watch<NatsAccount>({ apiVersion: NATS_WARDEN, kind: 'NatsAccount', plural: 'natsaccounts' }),
  clusters: watch<NatsCluster>({ apiVersion: NATS_WARDEN, kind: 'NatsCluster', plural: 'natsclusters' }),
  secrets: watch<V1Secret>({
    apiVersion: 'v1',
    kind: 'Secret',
    plural: 'secrets',
    labelSelector: 'app.kubernetes.io/managed-by=nats-warden',
  }),
};
export type NatsUserWatches = typeof natsUserWatches;
export type NatsUserReaders = ReadersOf<NatsUserWatches>;

const usersOfAccounts = (read: NatsUserReaders, namespace: string | undefined, accounts: Set<string>) =>
  [...accounts].flatMap((account) =>
    usersOfAccount(read.users, namespace ?? 'default', account).map((u) => keyOf(u as KubernetesObject)),
  );

const accountsOfCluster = (
  read: NatsUserReaders,
  namespace: string | undefined,
  cluster: string | undefined,
) =>
  new Set(
    read.accounts
      .list(namespace)
      .filter((a) => cluster !== undefined && a.spec?.clusterRef?.name === cluster)
      .map((a) => a.metadata.name),
  );

/** Users of the cluster that an identities Secret change concerns: of accounts whose key changed, or named. */
function usersOfIdentities(
  read: NatsUserReaders,
  changes: IdentitiesChanges,
  secret: KubernetesObject,
  cluster: string,
): string[] {
  const ns = secret.metadata?.namespace;
  const ofCluster = accountsOfCluster(read, ns, cluster);
  const change = changes.ofEvent(secret, (n, namespace) => read.secrets.get(n, namespace));
  if (change.all) return usersOfAccounts(read, ns, ofCluster);
  const rekeyed = new Set(
    read.accounts
      .list(ns)
      .filter(
        (a) =>
          ofCluster.has(a.metadata?.name) && change.accounts.has(a.spec?.accountName ?? a.metadata?.name),
      )
      .map((a) => a.metadata.name),
  );
  const named = [...change.users]
    .map((u) => read.users.get(u, ns))
    .filter((u) => u && ofCluster.has(u.spec?.accountRef?.name))
    .map((u) => keyOf(u as KubernetesObject));
  return [...usersOfAccounts(read, ns, rekeyed), ...named];
}

export function natsUserController(clusterDomain: string): Controller {
  const identities = new IdentitiesChanges();
  return defineController<NatsUserWatches>({
    name: 'natsuser',
    watches: natsUserWatches,
    primary: 'users',
    keysFor(from, o, read) {
      const ns = o.metadata?.namespace;
      const instance = o.metadata?.labels?.[INSTANCE_LABEL];
      switch (from) {
        case 'users':
          return [keyOf(o)];
        case 'accounts':
          return usersOfAccounts(read, ns, new Set([o.metadata?.name ?? '']));
        case 'clusters':
          return usersOfAccounts(read, ns, accountsOfCluster(read, ns, o.metadata?.name));
        default:
          // A user's own credentials Secret, or a cluster's (identities: the account keys; trust bundle).
          if (o.metadata?.labels?.['app.kubernetes.io/name'] === 'nats-credentials')
            return instance ? [`${ns ?? 'default'}/${instance}`] : [];
          if (instance && o.metadata?.name === `${instance}-identities`)
            return usersOfIdentities(read, identities, o, instance);
          return usersOfAccounts(read, ns, accountsOfCluster(read, ns, instance));
      }
    },
    reconciler: (context) => new NatsUserReconciler(context, clusterDomain),
    // A reconcile mostly waits on the API server (the Secret, the status).
    minWorkers: 16,
  });
}
