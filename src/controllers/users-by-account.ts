// Which NatsUsers name an account, without scanning every user of the namespace on each reconcile
// or event: with 10,000 users, the NatsAccount reconcile and the NatsUser controller's event
// mapping spent most of a cold start's CPU filtering the whole list. A user's account is in its
// spec, so the grouping (names only, spec-grouping.ts) is rebuilt when the reader's specVersion
// moves; the objects are read from the cache at each call, so their status and metadata are current.
import type { NatsUser } from '../api/index.ts';
import type { ClusterMembers } from '../render/index.ts';
import type { Reader } from '../runtime/controller.ts';
import { groupedBySpec } from './spec-grouping.ts';

const accountOf = (user: NatsUser): string[] =>
  user.spec?.accountRef?.name === undefined ? [] : [user.spec.accountRef.name];

/** The users of the namespace whose spec.accountRef names the account, as the cache holds them now. */
export function usersOfAccount(users: Reader<NatsUser>, namespace: string, account: string): NatsUser[] {
  return (groupedBySpec(users, namespace, accountOf).get(account) ?? [])
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
