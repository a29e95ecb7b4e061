import { describe, expect, test } from '@jest/globals';
import type { NatsAccount, NatsUser } from '../../api/index.ts';
import {
  ALL_USERS,
  planRevocations,
  readRevocations,
  revocationsConfigMap,
  REVOKE_FINALIZER,
} from './revocation.ts';

const account = (meta: Partial<NatsAccount['metadata']> = {}): NatsAccount => ({
  apiVersion: 'natswarden.io/v1alpha1',
  kind: 'NatsAccount',
  metadata: { name: 'orders', namespace: 'team', uid: 'acc-1', ...meta },
  spec: { clusterRef: { name: 'nats' } },
});
const user = (name: string, meta: Partial<NatsUser['metadata']> = {}): NatsUser =>
  ({
    apiVersion: 'natswarden.io/v1alpha1',
    kind: 'NatsUser',
    metadata: { name, namespace: 'team', uid: `uid-${name}`, ...meta },
    spec: { accountRef: { name: 'orders' }, authType: 'Creds' },
  }) as NatsUser;
const creds = (publicKey: string, ownerUid?: string) => ({
  creds: { content: 'not read here', publicKey },
  ...(ownerUid ? { ownerUid } : {}),
});
const gone = { deletionTimestamp: '2026-12-03T10:00:00Z', finalizers: [REVOKE_FINALIZER] };
const at = Date.parse('2026-12-03T10:00:00Z') / 1000;

describe('planRevocations', () => {
  test("a deleted user's own key (an older operator's finalizer on the NatsUser) is revoked as of its deletion, and it may be released", () => {
    const plan = planRevocations(
      account(),
      [user('app', gone), user('other')],
      { app: creds('UAPP', 'uid-app'), other: creds('UOTHER', 'uid-other') },
      {},
      1,
    );
    expect(plan.revocations).toEqual({ UAPP: at });
    expect(plan.changed).toBe(true);
    expect(plan.release.map((u) => u.metadata.name)).toEqual(['app']);
    expect(plan.releaseSecrets).toEqual([]);
  });

  test("a deleting credentials Secret's keys are revoked as of its deletion, and it may be released", () => {
    const plan = planRevocations(
      account(),
      [user('other')],
      { other: creds('UOTHER', 'uid-other') },
      { UOLD: 5 },
      1,
      [{ name: 'app-nats-credentials', publicKeys: ['UAPP', 'UOLD'], deletedAt: at }],
    );
    expect(plan.revocations).toEqual({ UAPP: at, UOLD: 5 });
    expect(plan.changed).toBe(true);
    expect(plan.release).toEqual([]);
    expect(plan.releaseSecrets).toEqual(['app-nats-credentials']);
  });

  test('an entry made for another resource of the same name is not revoked in its place', () => {
    const plan = planRevocations(account(), [user('app', gone)], { app: creds('UNEW', 'uid-newer') }, {}, 1);
    expect(plan.revocations).toEqual({});
    expect(plan.release).toHaveLength(1);
  });

  test("a live user's retired keys (it was rotated) are revoked", () => {
    const plan = planRevocations(
      account(),
      [user('app', { finalizers: [REVOKE_FINALIZER] })],
      { app: { ...creds('UNEW', 'uid-app'), retired: ['UOLD'] } },
      {},
      42,
    );
    expect(plan.revocations).toEqual({ UOLD: 42 });
  });

  test('revocations already kept are kept, with their time; nothing new means unchanged', () => {
    const plan = planRevocations(account(), [user('app', gone)], { app: creds('UAPP') }, { UAPP: 5 }, 1);
    expect(plan).toMatchObject({ revocations: { UAPP: 5 }, changed: false });
  });

  test('a deleted account revokes every user', () => {
    const password = {
      ...user('pw'),
      spec: { accountRef: { name: 'orders' }, authType: 'Password' },
    } as NatsUser;
    const plan = planRevocations(
      account(gone),
      [user('held', { finalizers: [REVOKE_FINALIZER] }), password],
      {},
      {},
      1,
    );
    expect(plan.revocations).toEqual({ [ALL_USERS]: at });
  });
});

describe('the revocations ConfigMap', () => {
  test('round-trips, `*` kept under a key ConfigMaps allow', () => {
    const cm = revocationsConfigMap(account(), { metadata: { name: 'nats' } } as never, {
      UAPP: 7,
      [ALL_USERS]: 9,
    }) as {
      data: Record<string, string>;
    };
    expect(Object.keys(cm.data).every((k) => /^[-._a-zA-Z0-9]+$/.test(k))).toBe(true);
    expect(readRevocations(account(), cm as never)).toEqual({ UAPP: 7, [ALL_USERS]: 9 });
  });

  test("a deleted namesake's list is not read", () => {
    const cm = revocationsConfigMap(account({ uid: 'old' }), { metadata: { name: 'nats' } } as never, {
      UAPP: 7,
    });
    expect(readRevocations(account(), cm as never)).toEqual({});
  });
});
