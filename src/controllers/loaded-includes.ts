// Config mode: which auth include each server has loaded, as the servers themselves report it. The
// include carries a load marker (an empty account named after a digest of the include, auth-conf.ts)
// and each server's /accountz lists the one marker it runs. The NatsCluster controller remembers,
// for the last few includes it rendered, the digest of each account's and user's entry in them; a
// member is loaded on a server whose marker names any include that already held its current entry,
// so adding one user does not make every other member un-Ready until the servers reload.
// Memory only, shared by the controllers of one operator process: after a restart only the includes
// rendered since are known, which can make a member wait for the next reload, never Ready early.
import type { NatsCluster } from '../api/index.ts';
import { LOAD_MARKER_PREFIX } from '../render/index.ts';

/** How the memory names a cluster. */
export const clusterKey = (cluster: NatsCluster): string =>
  `${cluster.metadata.namespace ?? 'default'}/${cluster.metadata.name}`;

/** How many includes per cluster are remembered: servers lag the newest by a reload or two at most. */
const REMEMBERED = 8;

export interface Load {
  /** Servers whose loaded include holds the member's current entry. */
  loaded: number;
  /** Servers that answered /accountz. */
  answered: number;
}

/** An include's entries: NatsUser name → digest, NatsAccount name → digest (auth-conf.ts). */
export interface IncludeEntries {
  users: Map<string, string>;
  accounts: Map<string, string>;
}

export class LoadedIncludes {
  /** cluster (namespace/name) → marker → entries, oldest marker first. */
  private readonly byCluster = new Map<string, Map<string, IncludeEntries>>();

  remember(cluster: string, marker: string, entries: IncludeEntries): void {
    const includes = this.byCluster.get(cluster) ?? new Map<string, IncludeEntries>();
    includes.delete(marker); // re-inserted as the newest
    includes.set(marker, entries);
    while (includes.size > REMEMBERED) includes.delete(includes.keys().next().value as string);
    this.byCluster.set(cluster, includes);
  }

  forget(cluster: string): void {
    this.byCluster.delete(cluster);
  }

  /**
   * Per member of `current` (name → digest of its current entry), how many servers have loaded that
   * entry. `serverAccounts` is each server's /accountz list (`undefined`: did not answer).
   */
  loads(
    cluster: string,
    kind: keyof IncludeEntries,
    current: Map<string, string>,
    serverAccounts: (string[] | undefined)[],
  ): Map<string, Load> {
    const includes = this.byCluster.get(cluster);
    const loadedIncludes = serverAccounts
      .filter((accounts) => accounts !== undefined)
      .map((accounts) => {
        const markers = accounts.filter((name) => name.startsWith(LOAD_MARKER_PREFIX));
        // Exactly one marker: a reload drops the old one. Anything else is not a known include.
        return markers.length === 1 ? includes?.get(markers[0]!)?.[kind] : undefined;
      });
    const answered = loadedIncludes.length;
    return new Map(
      [...current].map(([name, digest]) => [
        name,
        { loaded: loadedIncludes.filter((entries) => entries?.get(name) === digest).length, answered },
      ]),
    );
  }
}
