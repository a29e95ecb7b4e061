// Every example in examples/ is applied to the local control plane and reaches Ready, one at a
// time in its own namespace (the machine has two cores), then is deleted.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { apply, createNamespace, deleteNamespace, repoRoot } from '@nats-warden/local-cluster';
import { conditionOf, natsCluster, waitForCondition } from './operator/cluster-api.ts';
import { exampleIn, testBed, type TestBed } from './operator/fixtures.ts';
import { startOperator } from './operator/operator-process.ts';

jest.setTimeout(600_000);
const examples = readdirSync(join(repoRoot, 'examples'))
  .filter((f) => f.endsWith('.yaml'))
  .sort();
let bed: TestBed;

beforeAll(async () => {
  // One operator for all examples: it watches every namespace, with its Lease in the bed's namespace.
  bed = await testBed('examples');
  bed.operators.push(
    await startOperator(bed.kubeconfig, `operator-${bed.namespace}`, [
      '--leader-election-namespace',
      bed.namespace,
    ]),
  );
});
afterAll(async () => bed?.teardown());

describe.each(examples)('examples/%s', (file) => {
  test('is applied and reaches Ready', async () => {
    const namespace = await createNamespace(file.replace(/\.yaml$/, '').slice(0, 20));
    try {
      const docs = exampleIn(file, namespace);
      await apply(docs);
      const started = Date.now();
      for (const cluster of docs.filter((d) => d.kind === 'NatsCluster')) {
        await waitForCondition(bed.api, namespace, cluster.metadata.name, 'Ready', 'True', 480_000);
        expect(
          conditionOf(await natsCluster(bed.api, namespace, cluster.metadata.name), 'Degraded')?.status,
        ).toBe('False');
      }
      process.stderr.write(
        `\nfigure: examples/${file} Ready ${Math.round((Date.now() - started) / 1000)} s after apply\n`,
      );
    } finally {
      // Not waited for: the pods lame-duck out while the next example starts.
      await deleteNamespace(namespace);
    }
  });
});
