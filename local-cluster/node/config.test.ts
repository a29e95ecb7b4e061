// The real node's configuration stays inside its own directory and never reaches for the host's:
// containerd's root, state, socket and CNI dirs, the CNI network (no masquerading, the node's own
// subnet), the kubelet's cgroup settings, and runc's rlimits at or below this process's hard limit.
// Writes into a temporary directory; runs `ctr oci spec` (containerd's default spec) for real.
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeLayout, writeNodeConfig } from './config.ts';

const root = mkdtempSync(join(tmpdir(), 'real-node-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const node = nodeLayout(root, 'warden-real-2', 2, 'abcd1234');
writeNodeConfig(node, 'localhost/nats-warden-pause:1-x', { port: 41000, healthz: 41001 }, '/pki/ca.crt');

const hardNofile = Number(
  readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'))
    ?.split(/\s+/)[4],
);

describe('real node configuration', () => {
  test('containerd keeps everything under the node directory', () => {
    const toml = readFileSync(node.containerdConfig, 'utf8');
    for (const key of ['root', 'state', '  address', '  conf_dir', '  base_runtime_spec', '  Root']) {
      const line = toml.split('\n').find((l) => l.startsWith(`${key} = `));
      expect(line).toBeDefined();
      expect(JSON.parse(line!.split(' = ')[1]!)).toMatch(new RegExp(`^${root}/nodes/warden-real-2/`));
    }
    expect(toml).not.toContain('/etc/cni');
    expect(toml).not.toContain('/var/lib/containerd');
    expect(toml).toContain('sandbox_image = "localhost/nats-warden-pause:1-x"');
  });

  test('the CNI network is a bridge on the node subnet, without masquerading, in its own conf dir', () => {
    const files = readdirSync(node.cniConfDir);
    expect(files).toEqual(['10-nats-warden.conflist']);
    const conflist = JSON.parse(readFileSync(join(node.cniConfDir, files[0]!), 'utf8'));
    expect(conflist.plugins).toHaveLength(1);
    const [bridge] = conflist.plugins;
    expect(bridge).toMatchObject({ type: 'bridge', bridge: 'nwr2', ipMasq: false, isGateway: true });
    expect(bridge.ipam).toMatchObject({
      type: 'host-local',
      ranges: [[{ subnet: '10.245.2.0/24', gateway: '10.245.2.1' }]],
      dataDir: node.cniIpamDir,
    });
  });

  test("runc's rlimits stay at or below this process's hard limits", () => {
    const spec = JSON.parse(readFileSync(node.baseSpec, 'utf8'));
    expect(spec.process.rlimits).toEqual([
      { type: 'RLIMIT_NOFILE', hard: Math.min(hardNofile, 1_048_576), soft: Math.min(hardNofile, 1_048_576) },
    ]);
  });

  test('the kubelet runs on cgroup v1 with cgroupfs, authenticated, untainted, on the node address', () => {
    const config = JSON.parse(readFileSync(node.kubeletConfig, 'utf8'));
    expect(config).toMatchObject({
      failCgroupV1: false,
      cgroupDriver: 'cgroupfs',
      cgroupRoot: '/nats-warden-abcd1234-warden-real-2',
      address: '10.245.2.1',
      port: 41000,
      readOnlyPort: 0,
      containerRuntimeEndpoint: `unix://${node.socket}`,
      authentication: { anonymous: { enabled: false }, x509: { clientCAFile: '/pki/ca.crt' } },
      authorization: { mode: 'Webhook' },
      // Pods resolve through CoreDNS behind the kube-dns ClusterIP, never the host's resolver.
      clusterDNS: ['10.96.0.10'],
      clusterDomain: 'cluster.local',
      resolvConf: '',
    });
    // Every pod may land on any node: the nodes are the cluster's only ones.
    expect(config.registerWithTaints).toBeUndefined();
    expect(config.podLogsDir.startsWith(node.dir)).toBe(true);
    // The directory bind-mounted over kubelet's fixed device-plugin directory is the node's own.
    expect(node.devicePlugins).toBe(join(root, 'nodes', 'warden-real-2', 'device-plugins'));
    expect(readdirSync(node.devicePlugins)).toEqual([]);
  });
});
