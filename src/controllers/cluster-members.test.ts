import { describe, expect, test } from '@jest/globals';
import type { NatsAccount, NatsCluster, NatsUser } from '../api/index.ts';
import type { Reader } from '../runtime/controller.ts';
import { clusterMembers } from './cluster-members.ts';

const meta = (name: string, generation = 1) => ({
  name,
  namespace: 'team',
  uid: `uid-${name}`,
  generation,
  resourceVersion: '1',
  creationTimestamp: '2026-01-01T00:00:00Z',
});
const cluster = {
  apiVersion: 'natswarden.io/v1alpha1',
  kind: 'NatsCluster',
  metadata: meta('jwt'),
  spec: { replicas: 3, auth: { mode: 'JWT' }, tls: { client: { verify: false, verifyAndMap: false } } },
} as unknown as NatsCluster;
const account = {
  apiVersion: 'natswarden.io/v1alpha1',
  kind: 'NatsAccount',
  metadata: meta('orders'),
  spec: { clusterRef: { name: 'jwt' } },
} as unknown as NatsAccount;
const user = (generation: number, authType: string, status?: object) =>
  ({
    apiVersion: 'natswarden.io/v1alpha1',
    kind: 'NatsUser',
    metadata: meta('app', generation),
    spec: { accountRef: { name: 'orders' }, authType },
    ...(status ? { status } : {}),
  }) as unknown as NatsUser;

type Item = { metadata: { uid?: string; generation?: number } };
const specsOf = (items: Item[]) => items.map((i) => `${i.metadata.uid}:${i.metadata.generation}`).join(',');

/** A reader over a list that the test replaces: its version bumped each time, its spec version when a generation or UID changed (as the manager counts). */
function reader<T extends Item>(items: T[]) {
  let version = 0;
  let specVersion = 0;
  const r: Reader<T> & { set(next: T[]): void } = {
    get: () => undefined,
    list: () => items,
    version: () => version,
    specVersion: () => specVersion,
    set(next) {
      if (specsOf(next) !== specsOf(items)) specVersion++;
      items = next;
      version++;
    },
  };
  return r;
}

describe('clusterMembers', () => {
  test('unchanged caches give the very same result', () => {
    const accounts = reader([account]);
    const users = reader([user(1, 'Creds')]);
    const first = clusterMembers(cluster, accounts, users);
    expect(clusterMembers(cluster, accounts, users)).toBe(first);
  });

  test('a status change reuses the decision over the current objects', () => {
    const accounts = reader([account]);
    const users = reader([user(1, 'Creds')]);
    clusterMembers(cluster, accounts, users);
    const updated = user(1, 'Creds', { publicKey: 'UNEW' });
    users.set([updated]);
    const members = clusterMembers(cluster, accounts, users);
    expect(members.users).toHaveLength(1);
    expect(members.users[0]).toBe(updated);
  });

  test('without fresh, a status change returns the very same decision (no refresh of 10,000 objects)', () => {
    const accounts = reader([account]);
    const users = reader([user(1, 'Creds')]);
    const first = clusterMembers(cluster, accounts, users, { fresh: false });
    users.set([user(1, 'Creds', { publicKey: 'UNEW' })]);
    expect(clusterMembers(cluster, accounts, users, { fresh: false })).toBe(first);
  });

  test('a spec change is decided again', () => {
    const accounts = reader([account]);
    const users = reader([user(1, 'Creds')]);
    expect(clusterMembers(cluster, accounts, users).users).toHaveLength(1);
    users.set([user(2, 'Password')]); // a Password user cannot join a JWT cluster
    const members = clusterMembers(cluster, accounts, users);
    expect(members.users).toHaveLength(0);
    expect(members.excluded.map((e) => e.reason)).toEqual(['UnsupportedAuthType']);
  });
});
