// Config mode: a NatsUser is Ready once every server has loaded an auth include that holds its
// current entry, as the servers themselves report it (loaded-includes.ts). The NatsCluster controller
// renders each include, so it is the one that remembers it, for the NatsAccount controller too.
import type { NatsCluster } from '../../api/index.ts';
import {
  configModeAuthWithMarker,
  RenderError,
  type ClusterIdentities,
  type ClusterMembers,
} from '../../render/index.ts';
import type { ControllerContext } from '../../runtime/controller.ts';
import { clusterKey, type Load, type LoadedIncludes } from '../loaded-includes.ts';
import { accountsOfServers, serverPods } from '../server-accounts.ts';
import { readTrustBundle } from './certificate-secrets.ts';
import type { NatsClusterWatches } from './controller.ts';

/**
 * What the member statuses need to say whether each Config-mode user is loaded: `undefined` in JWT
 * mode (a user's JWT is verified against its account, nothing per user is loaded), 'unconfirmed'
 * when monitoring is off (no server can be asked).
 */
export type UserLoading =
  undefined | 'unconfirmed' | { replicas: number; loads: Map<string, Load>; failed?: string };

/** Whether every server has loaded the user's current entry (only asked of a Config-mode answer). */
export const loadedEverywhere = (
  loading: Exclude<UserLoading, undefined | 'unconfirmed'>,
  user: string,
): boolean => (loading.loads.get(user)?.loaded ?? 0) >= loading.replicas;

/** Config mode: renders the include's marker and entries, remembers them, and asks every server. */
export async function observeUserLoading(
  ctx: ControllerContext<NatsClusterWatches>,
  includes: LoadedIncludes,
  cluster: NatsCluster,
  members: ClusterMembers,
  identities: ClusterIdentities,
  clusterDomain: string,
): Promise<UserLoading> {
  if (cluster.spec.auth.mode === 'JWT') return undefined;
  if (!cluster.spec.monitoring.enabled) return members.users.length ? 'unconfirmed' : undefined;
  const replicas = cluster.spec.replicas;
  let auth: ReturnType<typeof configModeAuthWithMarker>;
  try {
    // The same call, with the same inputs, as this reconcile's render of the auth Secret.
    auth = configModeAuthWithMarker(cluster, members.accounts, members.users, identities);
  } catch (error) {
    if (!(error instanceof RenderError)) throw error;
    return members.users.length ? { replicas, loads: new Map(), failed: error.message } : undefined;
  }
  const ns = cluster.metadata.namespace ?? 'default';
  const key = clusterKey(cluster);
  // Remembered with or without users: the NatsAccount controller reads the accounts' entries.
  includes.remember(key, auth.marker, { users: auth.userEntries, accounts: auth.accountEntries });
  if (members.users.length === 0) return undefined;
  const pods = serverPods(ctx.readers.pods.list(ns), cluster.metadata.name);
  const answers = await accountsOfServers(cluster, pods, readTrustBundle(ctx, cluster), clusterDomain);
  return { replicas, loads: includes.loads(key, 'users', auth.userEntries, answers) };
}
