// A new cluster's first StatefulSet carries the certificate revisions it keeps, so nothing rolls
// right after creation (issue 8). cert-manager can set a Certificate Ready a moment before it
// records status.revision; a StatefulSet written in that moment carried revision 0 in its pod
// template and rolled every server when revision 1 appeared. Several clusters are created at once,
// the load under which that race showed, and each must reach Ready with one template revision and
// no pod replaced or restarted.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { apply, getJson } from '@nats-warden/local-cluster';
import { waitForCondition } from './operator/cluster-api.ts';
import { minimalCluster, testBed, type TestBed } from './operator/fixtures.ts';

jest.setTimeout(600_000);
const CLUSTERS = ['fresh-a', 'fresh-b', 'fresh-c'];
let bed: TestBed;

beforeAll(async () => {
  bed = await testBed('create');
  await bed.startOperator();
});
afterAll(async () => bed?.teardown());

const cluster = (name: string) => minimalCluster(bed.namespace, name, 2);

describe('cluster creation', () => {
  test('new clusters come up with the pod template they keep: one revision, no pod replaced or restarted', async () => {
    const started = Date.now();
    await apply(CLUSTERS.flatMap(cluster));
    await Promise.all(
      CLUSTERS.map((name) => waitForCondition(bed.api, bed.namespace, name, 'Ready', 'True', 300_000)),
    );
    process.stderr.write(
      `\nfigure: ${CLUSTERS.length} NatsClusters (2 replicas each) created together, all Ready ${Math.round((Date.now() - started) / 1000)} s after apply\n`,
    );
    const revisions = (await getJson(['get', 'controllerrevisions', '-n', bed.namespace])).items as any[];
    const pods = (await getJson(['get', 'pods', '-n', bed.namespace])).items as any[];
    const report = CLUSTERS.map((name) => {
      const owned = revisions.filter((r) => r.metadata.ownerReferences?.some((o: any) => o.name === name));
      const own = pods.filter((p) => p.metadata.labels?.['app.kubernetes.io/instance'] === name);
      return {
        name,
        templateRevisions: owned.length,
        pods: own.length,
        // A replaced pod would carry a newer revision hash than the StatefulSet's first one.
        onFirstRevision: own.every(
          (p) => p.metadata.labels['controller-revision-hash'] === owned[0]?.metadata.name,
        ),
        restarts: own.reduce(
          (sum, p) =>
            sum + (p.status.containerStatuses ?? []).reduce((s: number, c: any) => s + c.restartCount, 0),
          0,
        ),
      };
    });
    process.stderr.write(`figure: ${JSON.stringify(report)}\n`);
    expect(report).toEqual(
      CLUSTERS.map((name) => ({ name, templateRevisions: 1, pods: 2, onFirstRevision: true, restarts: 0 })),
    );
  });
});
