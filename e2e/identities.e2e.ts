// Generated identities (route password, user passwords and keys) are made once and never silently
// replaced. Resources may arrive in any order (GitOps applies them as it likes): an account that
// waits, left out and Degraded, for a missing NatsAccount gets its identities when that one arrives,
// and the cluster serves everyone else meanwhile. Once
// the identities were handed out, losing their Secret is reported, not papered over, and restoring
// it heals the cluster with the same credentials.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { apply, getJson, k, waitUntil } from '@nats-warden/local-cluster';
import { conditionOf, natsCluster, secretData, waitForCondition } from './operator/cluster-api.ts';
import { memberDegraded as degradedOf } from './operator/cluster-api.ts';
import { exampleIn, testBed, type TestBed } from './operator/fixtures.ts';

jest.setTimeout(600_000);
const CLUSTER = 'tenants'; // examples/config-accounts.yaml: account orders exports to account billing
let bed: TestBed;

beforeAll(async () => {
  bed = await testBed('ident');
  await bed.startOperator();
});
afterAll(async () => bed?.teardown());

const degraded = async () => conditionOf(await natsCluster(bed.api, bed.namespace, CLUSTER), 'Degraded');
const memberDegraded = (kind: 'natsaccount' | 'natsuser', name: string) =>
  degradedOf(bed.namespace, kind, name);

describe('identities', () => {
  test('a NatsAccount that waits for a late one is left out alone, and joins with its identities when it arrives', async () => {
    const docs = exampleIn('config-accounts.yaml', bed.namespace);
    const late = (d: any) => d.metadata.name === 'billing' || d.spec?.accountRef?.name === 'billing';
    await apply(docs.filter((d) => !late(d)));
    // orders exports to billing, which does not exist yet: orders (and its user) wait, the cluster does not.
    await waitUntil(
      'NatsAccount orders Degraded',
      async () => (await memberDegraded('natsaccount', 'orders'))?.status === 'True',
    );
    expect(await memberDegraded('natsaccount', 'orders')).toMatchObject({ reason: 'MissingAccount' });
    expect((await memberDegraded('natsaccount', 'orders'))?.message).toContain(
      'spec.exports[0].accounts: no account billing',
    );
    expect((await memberDegraded('natsuser', 'order-service'))?.reason).toBe('AccountLeftOut');
    await waitForCondition(bed.api, bed.namespace, CLUSTER, 'Ready', 'True', 300_000);
    expect((await degraded())?.status).toBe('False');

    await apply(docs.filter(late));
    await waitUntil(
      'NatsAccount orders joins',
      async () => (await memberDegraded('natsaccount', 'orders'))?.status === 'False',
    );
    await waitForCondition(bed.api, bed.namespace, CLUSTER, 'Ready', 'True', 300_000);
    expect((await degraded())?.status).toBe('False');
    expect(Object.keys(await secretData(bed.api, bed.namespace, `${CLUSTER}-identities`))).toContain(
      'route-password',
    );
    // A member's status flips when it is admitted, before its credentials are applied in the same
    // reconcile, and the cluster was Ready all along: wait for the Secret itself.
    const credentials = await waitUntil('order-service credentials', () =>
      secretData(bed.api, bed.namespace, 'order-service-nats-credentials'),
    );
    expect(Object.keys(credentials)).toContain('nkey.seed');
    // The late user may reach the cache after the reconcile its account started: the next one renders
    // it (auth Secret first, then its credentials). The next test compares the auth Secret whole.
    await waitUntil('billing-app credentials', () =>
      secretData(bed.api, bed.namespace, 'billing-app-nats-credentials'),
    );
  });

  test('a lost identities Secret is reported, nothing is regenerated, and restoring it heals', async () => {
    const identities = await getJson(['get', 'secret', `${CLUSTER}-identities`, '-n', bed.namespace]);
    const auth = await secretData(bed.api, bed.namespace, `${CLUSTER}-auth`);
    const routes = await secretData(bed.api, bed.namespace, `${CLUSTER}-routes-auth`);

    await k(['delete', 'secret', `${CLUSTER}-identities`, '-n', bed.namespace]);
    await waitForCondition(bed.api, bed.namespace, CLUSTER, 'Degraded', 'True', 120_000);
    expect(await degraded()).toMatchObject({ reason: 'IdentitiesMissing' });
    await expect(k(['get', 'secret', `${CLUSTER}-identities`, '-n', bed.namespace])).rejects.toThrow();
    expect(await secretData(bed.api, bed.namespace, `${CLUSTER}-auth`)).toEqual(auth);
    expect(await secretData(bed.api, bed.namespace, `${CLUSTER}-routes-auth`)).toEqual(routes);

    // Restored from a backup, the way an administrator would.
    const { name, namespace, labels, ownerReferences } = identities.metadata;
    await apply([
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace, labels, ownerReferences },
        type: identities.type,
        data: identities.data,
      },
    ]);
    await waitForCondition(bed.api, bed.namespace, CLUSTER, 'Degraded', 'False', 120_000);
    await waitForCondition(bed.api, bed.namespace, CLUSTER, 'Ready', 'True', 120_000);
    expect(await secretData(bed.api, bed.namespace, `${CLUSTER}-auth`)).toEqual(auth);
    expect(await secretData(bed.api, bed.namespace, `${CLUSTER}-routes-auth`)).toEqual(routes);
  });
});
