import { describe, expect, test } from '@jest/globals';
import { adoptionPatch, pendingAdoptions } from './adopt.ts';

const owner = {
  apiVersion: 'natswarden.io/v1alpha1',
  kind: 'NatsCluster',
  metadata: { name: 'c', uid: 'u-1' },
};

describe('adopting cert-manager Secrets', () => {
  test('only existing Secrets that do not name the owner yet are adopted', () => {
    const secrets: Record<string, object> = {
      fresh: { metadata: { name: 'fresh' } },
      adopted: { metadata: { name: 'adopted', ownerReferences: [{ uid: 'u-1' }] } },
    };
    const pending = pendingAdoptions(
      ['fresh', 'adopted', 'missing'].map((secretName) => ({ secretName, owner })),
      (name) => secrets[name] as never,
    );
    expect(pending.map((a) => a.secretName)).toEqual(['fresh']);
  });

  test('the patch names nothing but the owner reference, so cert-manager keeps its fields', () => {
    expect(adoptionPatch('ns', { secretName: 's', owner })).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 's',
        namespace: 'ns',
        ownerReferences: [
          {
            apiVersion: 'natswarden.io/v1alpha1',
            kind: 'NatsCluster',
            name: 'c',
            uid: 'u-1',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
    });
  });
});
