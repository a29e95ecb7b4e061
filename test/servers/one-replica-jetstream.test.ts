// A NatsCluster of one replica with JetStream runs a standalone JetStream server (no `cluster {}`
// block, ADR 0011): /healthz turns healthy, as the operator's health-gated roll needs, and JetStream
// serves a tenant (stream created, message published and read back). With a cluster block the lone
// server ran clustered JetStream with no peer and /healthz said "JetStream is still recovering meta
// layer" for good (docs/nats-facts.md, "A lone server and clustered JetStream").
import { expect, jest, test } from '@jest/globals';
import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { loadExample } from '../fixtures/examples.ts';
import { connectTo, certificateFor } from './support/clients.ts';
import { LocalCluster, renderLocally } from './support/local-cluster.ts';
import { connectSystem, pushAccountJwt } from '../../src/nats/system-client.ts';

jest.setTimeout(90_000);

test('one replica with JetStream becomes healthy (/healthz) and serves JetStream, standalone', async () => {
  const docs = loadExample('jwt-operator');
  for (const cluster of docs.clusters) cluster.spec.replicas = 1;
  // The example's sensor may only publish metrics.>; here it also drives the JetStream API.
  for (const user of docs.users) if (user.metadata.name === 'sensor') delete user.spec.permissions;
  const local = new LocalCluster(await renderLocally(docs), { block: 171 });
  try {
    await local.start();
    const server = local.servers[0]!;
    const deadline = Date.now() + 15_000;
    let last = '';
    while (Date.now() < deadline) {
      last = JSON.stringify(await local.monitor(server, '/healthz').catch((error: Error) => error.message));
      if (!/503|unavailable/.test(last)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(last).toBe(JSON.stringify({ status: 'ok' }));
    // Standalone: no route listener, and JetStream has no meta group.
    const varz = await local.monitor(server, '/varz');
    expect(varz.cluster?.port ?? 0).toBe(0);
    const jsz = await local.monitor(server, '/jsz');
    expect(jsz.meta_cluster).toBeUndefined();

    // The operator pushes the tenant's account JWT (full resolver); then its user uses JetStream.
    const { generated } = local.rendered;
    const cert = certificateFor(local, 'sensor');
    const sys = await connectSystem({
      servers: [`tls://${server.ip}:4222`],
      ca: local.rendered.trustBundle,
      creds: generated.jwtKeys!.systemUserCreds,
      servername: server.fqdn,
      cert: { cert: cert['tls.crt'], key: cert['tls.key'] },
    });
    const pushed = await pushAccountJwt(sys, generated.identities.jwt!.accounts['telemetry']!.jwt!, {
      servers: 1,
      timeoutMs: 3_000,
    });
    await sys.close();
    expect(pushed.map((r) => r.ok)).toEqual([true]);

    const nc = await connectTo(local, server, { user: 'sensor' });
    try {
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({
        name: 'METRICS',
        subjects: ['metrics.>'],
        storage: StorageType.File,
        max_bytes: 64 * 1024,
      });
      const ack = await jetstream(nc).publish('metrics.cpu', 'load 0.42');
      expect(ack).toMatchObject({ stream: 'METRICS', seq: 1 });
      const stored = await jsm.streams.getMessage('METRICS', { seq: 1 });
      expect(stored?.subject).toBe('metrics.cpu');
      expect(stored?.string()).toBe('load 0.42');
      expect((await jsm.streams.info('METRICS')).cluster?.leader).toBe(server.name);
    } finally {
      await nc.close();
    }
  } finally {
    await local.stop();
  }
});
