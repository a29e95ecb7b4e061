// Every example's rendered configuration, proven on real nats-servers: `nats-server -t` accepts each
// pod's files as the pod would see them, and three servers form TLS routes with the route
// credentials, every server listing both peers in /routez.
import { afterAll, describe, expect, jest, test } from '@jest/globals';
import { exampleNames, loadExample } from '../fixtures/examples.ts';
import { configModeAuthWithMarker, LOAD_MARKER_PREFIX } from '../../src/render/index.ts';
import { LocalCluster, renderLocally } from './support/local-cluster.ts';

jest.setTimeout(90_000);
const running: LocalCluster[] = [];
afterAll(async () => Promise.all(running.map((c) => c.stop())));

describe.each(exampleNames().map((name, i) => [name, i] as const))('examples/%s', (name, index) => {
  test('nats-server accepts every pod configuration and three servers route to each other over TLS', async () => {
    const rendered = await renderLocally(loadExample(name));
    const local = new LocalCluster(rendered, { block: 100 + index });
    running.push(local);
    await local.configTest();
    await local.start();
    if (!local.monitored) {
      // No monitoring port to ask for routes (e2e/monitoring-off.e2e.ts proves the cluster serves).
      for (const server of local.servers) await expect(local.monitor(server, '/varz')).rejects.toThrow();
      await local.stop();
      return;
    }
    for (const server of local.servers) {
      const others = local.servers.filter((s) => s !== server).map((s) => s.name);
      const deadline = Date.now() + 20_000;
      while ((await local.routePeers(server)).join() !== others.join() && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 250));
      expect(await local.routePeers(server)).toEqual(others);
      const varz = await local.monitor(server, '/varz');
      expect(varz.cluster).toMatchObject({ tls_required: true, tls_verify: true });
      expect(varz.tls_required).toBe(true);
      if (rendered.cluster.spec.auth.mode === 'JWT') continue;
      // Config mode: the server lists the include's load marker and no other (user-loading.ts).
      const { marker } = configModeAuthWithMarker(
        rendered.cluster,
        rendered.members.accounts,
        rendered.members.users,
        rendered.generated.identities,
      );
      const accountz = await local.monitor(server, '/accountz');
      expect(accountz.accounts.filter((a: string) => a.startsWith(LOAD_MARKER_PREFIX))).toEqual([marker]);
    }
    await local.stop();
  });
});
