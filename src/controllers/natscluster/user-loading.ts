// Config mode: a NatsUser is Ready once every server has loaded an auth include that holds its
// current entry, as the servers themselves report it. The include carries a load marker (an empty
// account named after a digest of the include, auth-conf.ts) and each server's /accountz lists the
// one marker it runs. This remembers, for the last few includes rendered, the digest of each user's
// entry in them, so a user is loaded on a server whose marker names any include that already held
// its current entry: adding one user does not make every other user un-Ready until the servers reload.
// Memory only: after an operator restart only the includes rendered since are known, which can make
// a user wait for the next reload, never makes one Ready early.
import type { NatsCluster } from '../../api/index.ts';
import {
  configModeAuthWithMarker,
  LOAD_MARKER_PREFIX,
  RenderError,
  type ClusterIdentities,
  type ClusterMembers,
} from '../../render/index.ts';
import type { ControllerContext } from '../../runtime/controller.ts';
import { accountsOfServers, serverPods } from '../server-accounts.ts';
import { readTrustBundle } from './certificate-secrets.ts';
import type { NatsClusterWatches } from './controller.ts';

/** How many includes per cluster are remembered: servers lag the newest by a reload or two at most. */
const REMEMBERED = 8;

export interface UserLoad {
  /** Servers whose loaded include holds the user's current entry. */
  loaded: number;
  /** Servers that answered /accountz. */
  answered: number;
}

export class LoadedIncludes {
  /** cluster (namespace/name) → marker → (NatsUser name → entry digest), oldest marker first. */
  private readonly byCluster = new Map<string, Map<string, Map<string, string>>>();

  remember(cluster: string, marker: string, userEntries: Map<string, string>): void {
    const includes = this.byCluster.get(cluster) ?? new Map<string, Map<string, string>>();
    includes.delete(marker); // re-inserted as the newest
    includes.set(marker, userEntries);
    while (includes.size > REMEMBERED) includes.delete(includes.keys().next().value as string);
    this.byCluster.set(cluster, includes);
  }

  forget(cluster: string): void {
    this.byCluster.delete(cluster);
  }

  /**
   * Per user of `current`, how many servers have loaded its current entry. `serverAccounts` is each
   * server's /accountz list (`undefined`: did not answer).
   */
  loads(
    cluster: string,
    current: Map<string, string>,
    serverAccounts: (string[] | undefined)[],
  ): Map<string, UserLoad> {
    const includes = this.byCluster.get(cluster);
    const loadedIncludes = serverAccounts
      .filter((accounts) => accounts !== undefined)
      .map((accounts) => {
        const markers = accounts.filter((name) => name.startsWith(LOAD_MARKER_PREFIX));
        // Exactly one marker: a reload drops the old one. Anything else is not a known include.
        return markers.length === 1 ? includes?.get(markers[0]!) : undefined;
      });
    const answered = loadedIncludes.length;
    return new Map(
      [...current].map(([user, digest]) => [
        user,
        { loaded: loadedIncludes.filter((entries) => entries?.get(user) === digest).length, answered },
      ]),
    );
  }
}

/**
 * What the member statuses need to say whether each Config-mode user is loaded: `undefined` in JWT
 * mode (a user's JWT is verified against its account, nothing per user is loaded), 'unconfirmed'
 * when monitoring is off (no server can be asked).
 */
export type UserLoading =
  undefined | 'unconfirmed' | { replicas: number; loads: Map<string, UserLoad>; failed?: string };

/** Config mode: renders the include's marker and entries, remembers them, and asks every server. */
export async function observeUserLoading(
  ctx: ControllerContext<NatsClusterWatches>,
  includes: LoadedIncludes,
  cluster: NatsCluster,
  members: ClusterMembers,
  identities: ClusterIdentities,
  clusterDomain: string,
): Promise<UserLoading> {
  if (cluster.spec.auth.mode === 'JWT' || members.users.length === 0) return undefined;
  if (!cluster.spec.monitoring.enabled) return 'unconfirmed';
  const replicas = cluster.spec.replicas;
  let auth: ReturnType<typeof configModeAuthWithMarker>;
  try {
    // The same call, with the same inputs, as this reconcile's render of the auth Secret.
    auth = configModeAuthWithMarker(cluster, members.accounts, members.users, identities);
  } catch (error) {
    if (!(error instanceof RenderError)) throw error;
    return { replicas, loads: new Map(), failed: error.message };
  }
  const ns = cluster.metadata.namespace ?? 'default';
  const key = `${ns}/${cluster.metadata.name}`;
  includes.remember(key, auth.marker, auth.userEntries);
  const pods = serverPods(ctx.readers.pods.list(ns), cluster.metadata.name);
  const answers = await accountsOfServers(cluster, pods, readTrustBundle(ctx, cluster), clusterDomain);
  return { replicas, loads: includes.loads(key, auth.userEntries, answers) };
}
