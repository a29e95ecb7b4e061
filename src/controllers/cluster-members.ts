// membersOf (render/membership.ts) for the controllers, computed once per relevant change rather than
// once per reconcile: every NatsUser and NatsAccount reconcile needs its cluster's membership, which
// reads every account and user of the namespace (about 60 ms for 10,000 users), so a resync of
// 10,000 users would cost minutes. Membership depends only on the resources' names, UIDs, creation
// times and specs, so it is decided again only when a reader's specVersion moves (an object added,
// deleted, or its generation changed); status, label and finalizer writes reuse the decision. It is
// shared and must not be modified.
import type { NatsAccount, NatsCluster, NatsUser } from '../api/index.ts';
import { membersOf, type ClusterMembers } from '../render/index.ts';
import type { Reader } from '../runtime/controller.ts';

interface Entry {
  /** The readers' change counts the members' objects are current for. */
  versions: string;
  /** The spec counts the decision was made at. */
  specs: string;
  members: ClusterMembers;
}
// One memo per users reader (each controller has its own), one entry per cluster.
const memos = new WeakMap<Reader<NatsUser>, Map<string, Entry>>();

/**
 * @param fresh the members as the caches hold them now (a status write needs their current status);
 *   false: the decision alone, its objects possibly older than the cache's (no O(n) refresh)
 */
export function clusterMembers(
  cluster: NatsCluster,
  accounts: Reader<NatsAccount>,
  users: Reader<NatsUser>,
  { fresh }: { fresh: boolean } = { fresh: true },
): ClusterMembers {
  const ns = cluster.metadata.namespace ?? 'default';
  const id = `${ns}/${cluster.metadata.name}`;
  const versions = `${cluster.metadata.uid}@${cluster.metadata.resourceVersion}|${accounts.version()}|${users.version()}`;
  const specs = `${cluster.metadata.uid}@${cluster.metadata.generation}|${accounts.specVersion()}|${users.specVersion()}`;
  let memo = memos.get(users);
  if (!memo) memos.set(users, (memo = new Map()));
  const known = memo.get(id);
  // No resourceVersion (an object built in memory): nothing to key on, so nothing is kept.
  const keyed = !!cluster.metadata.resourceVersion;
  if (keyed && known?.specs === specs) {
    if (!fresh || known.versions === versions) return known.members;
    // The same decision, over the objects as they are now (their status and metadata moved on).
    const members = current(known.members, accounts.list(ns), users.list(ns));
    memo.set(id, { versions, specs, members });
    return members;
  }
  const members = membersOf(cluster, accounts.list(ns), users.list(ns));
  memo.set(id, { versions, specs, members });
  return members;
}

function current(members: ClusterMembers, accounts: NatsAccount[], users: NatsUser[]): ClusterMembers {
  const fresh = <T extends NatsAccount | NatsUser>(decided: T[], now: T[]): T[] => {
    const byUid = new Map(now.map((o) => [o.metadata.uid, o]));
    return decided.map((o) => byUid.get(o.metadata.uid) ?? o);
  };
  return { ...members, accounts: fresh(members.accounts, accounts), users: fresh(members.users, users) };
}
