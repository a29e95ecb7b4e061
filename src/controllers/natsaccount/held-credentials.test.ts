import { describe, expect, test } from '@jest/globals';
import type { V1Secret } from '@kubernetes/client-node';
import { createUser } from '@nats-io/nkeys';
import { heldCredentials, HeldSecrets } from './held-credentials.ts';
import { REVOKE_FINALIZER } from './revocation.ts';

const key = () => createUser().getPublicKey();
const secret = (name: string, meta: Partial<NonNullable<V1Secret['metadata']>> = {}): V1Secret => ({
  metadata: {
    name,
    namespace: 'team',
    labels: { 'app.kubernetes.io/name': 'nats-credentials', 'app.kubernetes.io/managed-by': 'nats-warden' },
    finalizers: [REVOKE_FINALIZER],
    ...meta,
    annotations: { 'natswarden.io/account': 'orders', ...meta.annotations },
  },
});
const deleting = { deletionTimestamp: '2026-12-04T10:00:00Z' as unknown as Date };

describe('heldCredentials', () => {
  test('a deleting Secret with the finalizer asks to revoke its key and the keys it retired, as of its deletion', () => {
    const [now, old] = [key(), key()];
    const held = heldCredentials(
      secret('app-nats-credentials', {
        ...deleting,
        annotations: { 'natswarden.io/public-key': now, 'natswarden.io/retired-keys': `${old},${now}` },
      }),
    );
    expect(held).toEqual({
      name: 'app-nats-credentials',
      publicKeys: [now, old],
      deletedAt: Date.parse('2026-12-04T10:00:00Z') / 1000,
    });
  });

  test('a live Secret, one without the finalizer, and one that is not credentials ask for nothing', () => {
    expect(heldCredentials(secret('a'))).toBeUndefined();
    expect(heldCredentials(secret('b', { ...deleting, finalizers: [] }))).toBeUndefined();
    expect(
      heldCredentials(secret('c', { ...deleting, labels: { 'app.kubernetes.io/name': 'nats' } })),
    ).toBeUndefined();
  });

  test('what is not a user key is never revoked: `*` (every user), an account key, garbage', () => {
    const held = heldCredentials(
      secret('app', {
        ...deleting,
        annotations: { 'natswarden.io/public-key': '*', 'natswarden.io/retired-keys': 'AABC,,UNOTAKEY' },
      }),
    );
    expect(held?.publicKeys).toEqual([]);
  });
});

describe('HeldSecrets', () => {
  test('notes a deleting Secret under the account it was signed for, and forgets it once released or gone', () => {
    const held = new HeldSecrets();
    held.observe(secret('app', { ...deleting }));
    held.observe(secret('live'));
    expect(held.of('team/orders')).toEqual(['app']);
    expect(held.of('other/orders')).toEqual([]);
    held.observe(secret('app', { ...deleting, finalizers: [] }));
    expect(held.of('team/orders')).toEqual([]);
  });
});
