import { describe, expect, test } from '@jest/globals';
import type { NatsUser } from '../api/index.ts';
import type { ClusterMembers } from '../render/index.ts';
import type { Reader } from '../runtime/controller.ts';
import { isMemberUser, memberUsersOfAccount, usersOfAccount } from './users-by-account.ts';

const user = (name: string, account: string, extra: object = {}): NatsUser =>
  ({
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, ...extra },
    spec: { accountRef: { name: account } },
  }) as NatsUser;

/** A reader over a map, counting list() calls; specVersion moves only when told (as for a spec change). */
function reader(objects: NatsUser[]) {
  const byName = new Map(objects.map((o) => [o.metadata.name, o]));
  const state = { specs: 1, lists: 0 };
  const r: Reader<NatsUser> = {
    get: (name) => byName.get(name),
    list: () => (state.lists++, [...byName.values()]),
    version: () => 0,
    specVersion: () => state.specs,
  };
  return { r, byName, state };
}

describe('usersOfAccount', () => {
  test('groups once per spec version and returns the objects as the cache holds them now', () => {
    const { r, byName, state } = reader([user('a1', 'orders'), user('a2', 'orders'), user('b1', 'billing')]);
    expect(usersOfAccount(r, 'ns', 'orders').map((u) => u.metadata.name)).toEqual(['a1', 'a2']);
    // A finalizer write: same spec version, no new grouping, but the current object is returned.
    byName.set('a1', user('a1', 'orders', { finalizers: ['natswarden.io/revoke'] }));
    expect(usersOfAccount(r, 'ns', 'orders')[0]?.metadata.finalizers).toEqual(['natswarden.io/revoke']);
    expect(usersOfAccount(r, 'ns', 'billing').map((u) => u.metadata.name)).toEqual(['b1']);
    expect(state.lists).toBe(1);
    // A user moved to another account (a spec change), and one deleted.
    byName.set('a2', user('a2', 'billing'));
    byName.delete('b1');
    state.specs++;
    expect(usersOfAccount(r, 'ns', 'orders').map((u) => u.metadata.name)).toEqual(['a1']);
    expect(usersOfAccount(r, 'ns', 'billing').map((u) => u.metadata.name)).toEqual(['a2']);
    expect(usersOfAccount(r, 'ns', 'nobody')).toEqual([]);
    expect(state.lists).toBe(2);
  });
});

describe('membership lookups', () => {
  test('isMemberUser and memberUsersOfAccount answer from the members decision', () => {
    const members = {
      users: [user('a1', 'orders'), user('a2', 'orders'), user('b1', 'billing')],
    } as ClusterMembers;
    expect(isMemberUser(members, 'uid-a2')).toBe(true);
    expect(isMemberUser(members, 'uid-zz')).toBe(false);
    expect(memberUsersOfAccount(members, 'orders')).toBe(2);
    expect(memberUsersOfAccount(members, 'nobody')).toBe(0);
  });
});
