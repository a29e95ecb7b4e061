// An object the API server refuses for good (here a StatefulSet whose pod labels are invalid) makes
// the NatsCluster Degraded with the API server's own message, which names the field; the operator
// does not retry it in a hot loop, and fixing the spec heals the cluster (issue 9).
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { apply } from '@nats-warden/local-cluster';
import { conditionOf, natsCluster, waitForCondition, waitForDegraded } from './operator/cluster-api.ts';
import { minimalCluster, testBed, type TestBed } from './operator/fixtures.ts';

jest.setTimeout(300_000);
let bed: TestBed;
let healthUrl = '';

beforeAll(async () => {
  bed = await testBed('permerr');
  healthUrl = (await bed.startOperator()).healthUrl;
});
afterAll(async () => bed?.teardown());

const docs = (labels: Record<string, string>) =>
  minimalCluster(bed.namespace, 'minimal', 1, (cluster) => (cluster.spec.podTemplate = { labels }));

/** The operator's own count of NatsCluster reconciles (its /metrics). */
async function reconciles(): Promise<number> {
  const text = await (await fetch(`${healthUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('nats_warden_reconcile_total{controller="natscluster"'))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

describe('a child the API server refuses', () => {
  test('is reported with the field, not retried in a loop, and heals when the spec is fixed', async () => {
    await apply(docs({ team: 'not a valid label value!' }));
    const degraded = await waitForDegraded(bed.api, bed.namespace, 'minimal', 'ApplyRejected', 120_000);
    expect(degraded?.reason).toBe('ApplyRejected');
    expect(degraded?.message).toContain('StatefulSet/minimal was refused by the API server');
    expect(degraded?.message).toContain('spec.template.labels: Invalid value');

    const before = await reconciles();
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const during = (await reconciles()) - before;
    process.stderr.write(`\nfigure: ${during} reconciles in the 10 s after ApplyRejected\n`);
    expect(during).toBeLessThanOrEqual(3);

    await apply(docs({ team: 'platform' }));
    await waitForCondition(bed.api, bed.namespace, 'minimal', 'Ready', 'True', 180_000);
    expect(conditionOf(await natsCluster(bed.api, bed.namespace, 'minimal'), 'Degraded')?.status).toBe(
      'False',
    );
  });
});
