// membersOf (render/membership.ts) for the controllers, computed once per change rather than once per
// reconcile: every NatsUser and NatsAccount reconcile needs its cluster's membership, which reads
// every account and user of the namespace (about 60 ms for 10,000 users), so a resync of 10,000
// users would cost minutes. The caches' versions say when nothing changed; the result is shared
// and must not be modified.
import type { NatsAccount, NatsCluster, NatsUser } from '../api/index.ts';
import { membersOf, type ClusterMembers } from '../render/index.ts';
import type { Reader } from '../runtime/controller.ts';

interface Entry {
  key: string;
  members: ClusterMembers;
}
// One memo per pair of readers (each controller has its own), one entry per cluster.
const memos = new WeakMap<Reader<NatsUser>, Map<string, Entry>>();

export function clusterMembers(
  cluster: NatsCluster,
  accounts: Reader<NatsAccount>,
  users: Reader<NatsUser>,
): ClusterMembers {
  const ns = cluster.metadata.namespace ?? 'default';
  const id = `${ns}/${cluster.metadata.name}`;
  const key = `${cluster.metadata.uid}@${cluster.metadata.resourceVersion}|${accounts.version()}|${users.version()}`;
  let memo = memos.get(users);
  if (!memo) memos.set(users, (memo = new Map()));
  const known = memo.get(id);
  // No resourceVersion (an object built in memory): nothing to key on, so nothing is kept.
  if (known && known.key === key && cluster.metadata.resourceVersion) return known.members;
  const members = membersOf(cluster, accounts.list(ns), users.list(ns));
  memo.set(id, { key, members });
  return members;
}
