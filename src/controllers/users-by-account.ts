// Which NatsUsers name an account, without scanning every user of the namespace on each reconcile
// or event: with 10,000 users, the NatsAccount reconcile and the NatsUser controller's event
// mapping spent most of a cold start's CPU filtering the whole list. A user's account is in its
// spec, so the grouping (names only) is rebuilt when the reader's specVersion moves; the objects
// are read from the cache at each call, so their status and metadata are always current.
import type { NatsUser } from '../api/index.ts';
import type { ClusterMembers } from '../render/index.ts';
import type { Reader } from '../runtime/controller.ts';

interface Grouping {
  specs: number;
  names: Map<string, string[]>;
}
const groupings = new WeakMap<Reader<NatsUser>, Map<string, Grouping>>();

function namesByAccount(users: Reader<NatsUser>, namespace: string): Map<string, string[]> {
  let byNamespace = groupings.get(users);
  if (!byNamespace) groupings.set(users, (byNamespace = new Map()));
  const specs = users.specVersion();
  const known = byNamespace.get(namespace);
  if (known?.specs === specs) return known.names;
  const names = new Map<string, string[]>();
  for (const user of users.list(namespace)) {
    const account = user.spec?.accountRef?.name;
    if (account === undefined) continue;
    const list = names.get(account);
    if (list) list.push(user.metadata.name);
    else names.set(account, [user.metadata.name]);
  }
  byNamespace.set(namespace, { specs, names });
  return names;
}

/** The users of the namespace whose spec.accountRef names the account, as the cache holds them now. */
export function usersOfAccount(users: Reader<NatsUser>, namespace: string, account: string): NatsUser[] {
  return (namesByAccount(users, namespace).get(account) ?? [])
    .map((name) => users.get(name, namespace))
    .filter((u): u is NatsUser => u !== undefined && u.spec?.accountRef?.name === account);
}

const memberUids = new WeakMap<ClusterMembers, Set<string | undefined>>();
const memberCounts = new WeakMap<ClusterMembers, Map<string, number>>();

/** Whether the user (by UID) is a member of the cluster in this membership decision. */
export function isMemberUser(members: ClusterMembers, uid: string | undefined): boolean {
  let uids = memberUids.get(members);
  if (!uids) memberUids.set(members, (uids = new Set(members.users.map((u) => u.metadata.uid))));
  return uids.has(uid);
}

/** How many member users name the account. */
export function memberUsersOfAccount(members: ClusterMembers, account: string): number {
  let counts = memberCounts.get(members);
  if (!counts) {
    counts = new Map();
    for (const u of members.users)
      counts.set(u.spec.accountRef.name, (counts.get(u.spec.accountRef.name) ?? 0) + 1);
    memberCounts.set(members, counts);
  }
  return counts.get(account) ?? 0;
}
