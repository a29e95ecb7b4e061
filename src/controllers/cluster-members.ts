// membersOf (render/membership.ts) for the controllers, computed once per relevant change rather than
// once per reconcile: every NatsUser and NatsAccount reconcile needs its cluster's membership, which
// reads every account and user of the namespace (about 60 ms for 10,000 users), so a resync of
// 10,000 users would cost minutes. Membership depends only on the resources' names, UIDs, creation
// times and specs: unchanged caches (their versions), or changes that touched no spec (status,
// finalizers: the UIDs and generations are the same), reuse the last result. It is shared and must
// not be modified.
import type { NatsAccount, NatsCluster, NatsUser } from '../api/index.ts';
import { membersOf, type ClusterMembers } from '../render/index.ts';
import type { Reader } from '../runtime/controller.ts';

interface Entry {
  versions: string;
  specs: string;
  members: ClusterMembers;
}
// One memo per users reader (each controller has its own), one entry per cluster.
const memos = new WeakMap<Reader<NatsUser>, Map<string, Entry>>();

/** What membership depends on, per resource: its UID (name, creation time) and spec generation. */
const specsOf = (items: (NatsAccount | NatsUser)[]) =>
  items.map((i) => `${i.metadata.uid}:${i.metadata.generation}`).join(',');

export function clusterMembers(
  cluster: NatsCluster,
  accounts: Reader<NatsAccount>,
  users: Reader<NatsUser>,
): ClusterMembers {
  const ns = cluster.metadata.namespace ?? 'default';
  const id = `${ns}/${cluster.metadata.name}`;
  const versions = `${cluster.metadata.uid}@${cluster.metadata.resourceVersion}|${accounts.version()}|${users.version()}`;
  let memo = memos.get(users);
  if (!memo) memos.set(users, (memo = new Map()));
  const known = memo.get(id);
  // No resourceVersion (an object built in memory): nothing to key on, so nothing is kept.
  const keyed = !!cluster.metadata.resourceVersion;
  if (keyed && known?.versions === versions) return known.members;
  const accountList = accounts.list(ns);
  const userList = users.list(ns);
  const specs = `${cluster.metadata.uid}@${cluster.metadata.generation}|${specsOf(accountList)}|${specsOf(userList)}`;
  if (keyed && known?.specs === specs) {
    // The same decision, over the objects as they are now (their status and metadata moved on).
    const members = current(known.members, accountList, userList);
    memo.set(id, { versions, specs, members });
    return members;
  }
  const members = membersOf(cluster, accountList, userList);
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
