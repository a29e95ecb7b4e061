// A bug found by the security suite and kept visible until it is fixed: a NatsCluster of one replica
// with JetStream renders a `cluster {}` block, so its server runs JetStream in clustered mode with no
// peer, and its /healthz says "JetStream is still recovering meta layer" for good; the operator's
// roll, which waits for a healthy server, then blocks (RollBlocked). The fix is likely to render no
// cluster block for one replica (a standalone JetStream), with what that means for scaling up later.
// test.failing: this passes, and CI says so, the day the bug is fixed.
import { expect, jest, test } from '@jest/globals';
import { loadExample } from '../fixtures/examples.ts';
import { LocalCluster, renderLocally } from './support/local-cluster.ts';

jest.setTimeout(90_000);

test.failing('one replica with JetStream becomes healthy (/healthz), as the roll needs', async () => {
  const docs = loadExample('jwt-operator');
  for (const cluster of docs.clusters) cluster.spec.replicas = 1;
  const local = new LocalCluster(await renderLocally(docs), { block: 171 });
  try {
    await local.start();
    const server = local.servers[0]!;
    const deadline = Date.now() + 15_000;
    let last = '';
    while (Date.now() < deadline) {
      last = String(await local.monitor(server, '/healthz').catch((error: Error) => error.message));
      if (!/503|unavailable/.test(last)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(last).not.toMatch(/recovering meta layer|503|unavailable/);
  } finally {
    await local.stop();
  }
});
