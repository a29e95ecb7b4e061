// Why a NatsCluster with JetStream may not scale from one replica to several (ADR 0011), shown on
// real servers: a lone server runs standalone JetStream; restarted with routes to two new peers, as
// a scale-up would do, it joins a clustered JetStream whose meta layer has never heard of its
// streams, and nats-server deletes them as orphans (jetstream_cluster.go:2477, 2091-2120).
import { expect, jest, test } from '@jest/globals';
import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { readFileSync } from 'node:fs';
import { loadExample } from '../fixtures/examples.ts';
import { certificateFor, connectTo } from './support/clients.ts';
import { LocalCluster, renderLocally, type LocalServer } from './support/local-cluster.ts';
import { connectSystem, pushAccountJwt } from '../../src/nats/system-client.ts';
import { PATHS, renderNatsConf } from '../../src/render/index.ts';

jest.setTimeout(120_000);

async function pushTelemetry(local: LocalCluster, server: LocalServer, servers: number) {
  const { generated, trustBundle } = local.rendered;
  const cert = certificateFor(local, 'sensor');
  const sys = await connectSystem({
    servers: [`tls://${server.ip}:4222`],
    ca: trustBundle,
    creds: generated.jwtKeys!.systemUserCreds,
    servername: server.fqdn,
    cert: { cert: cert['tls.crt'], key: cert['tls.key'] },
  });
  try {
    const replies = await pushAccountJwt(sys, generated.identities.jwt!.accounts['telemetry']!.jwt!, {
      servers,
      timeoutMs: 3_000,
    });
    expect(replies.filter((r) => r.ok)).toHaveLength(servers);
  } finally {
    await sys.close();
  }
}

async function stopServer(server: LocalServer) {
  const child = server.process!;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const streamNames = async (nc: NatsConnection) => {
  const names: string[] = [];
  for await (const name of (await jetstreamManager(nc)).streams.names()) names.push(name);
  return names;
};

test('a standalone server restarted clustered (a scale from 1 to 3) loses its streams', async () => {
  const docs = loadExample('jwt-operator');
  for (const user of docs.users) if (user.metadata.name === 'sensor') delete user.spec.permissions;
  // Three replicas' files (certificates, routes), and server 0 first with the one-replica nats.conf.
  const rendered = await renderLocally(docs);
  const alone = { ...rendered.cluster, spec: { ...rendered.cluster.spec, replicas: 1 } };
  let standalone = true;
  const local = new LocalCluster(rendered, {
    block: 172,
    tamper: (ordinal, files) => {
      if (standalone && ordinal === 0) files[PATHS.confFile] = renderNatsConf(alone);
    },
  });
  try {
    const first = local.servers[0]!;
    await local.start([0]);
    expect((await local.monitor(first, '/varz')).cluster?.port ?? 0).toBe(0);
    await pushTelemetry(local, first, 1);
    let nc = await connectTo(local, first, { user: 'sensor' });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({
      name: 'METRICS',
      subjects: ['metrics.>'],
      storage: StorageType.File,
      max_bytes: 64 * 1024,
    });
    await jetstream(nc).publish('metrics.cpu', 'kept?');
    expect(await streamNames(nc)).toEqual(['METRICS']);
    await nc.close();
    await stopServer(first);

    // The scale-up: the same server, now with its cluster block and two peers.
    standalone = false;
    await local.start([0, 1, 2]);
    await pushTelemetry(local, first, 3);
    const jsz = await local.monitor(first, '/jsz');
    expect(jsz.meta_cluster?.cluster_size).toBe(3);
    // The clustered JetStream API knows only the meta layer's streams: the stream is gone from it.
    nc = await connectTo(local, first, { user: 'sensor' });
    let names = await streamNames(nc).catch(() => ['(JetStream not ready)']);
    for (const deadline = Date.now() + 20_000; names.length && Date.now() < deadline;)
      names = await new Promise((r) => setTimeout(r, 1_000)).then(() =>
        streamNames(nc).catch(() => ['(JetStream not ready)']),
      );
    await nc.close();
    expect(names).toEqual([]);
    // And not merely hidden: 30 s after the meta layer recovered, server 0 deletes what it stored.
    let held = (await local.monitor(first, '/jsz')).streams;
    for (const deadline = Date.now() + 60_000; held > 0 && Date.now() < deadline;)
      held = await new Promise((r) => setTimeout(r, 2_000)).then(
        async () => (await local.monitor(first, '/jsz')).streams,
      );
    expect(held).toBe(0);
    const account = local.rendered.generated.identities.jwt!.accounts['telemetry']!.publicKey;
    expect(readFileSync(first.log, 'utf8')).toContain(`Detected orphaned stream '${account} > METRICS'`);
  } finally {
    await local.stop();
  }
});
