// Turns the rendered objects (and the issued certificate Secrets) into the files a pod would see,
// for `nats-server -t` before anything is applied. Remembers what already passed, by digest, so a
// steady-state reconcile does not re-run the binary.
import { createHash } from 'node:crypto';
import type { NatsCluster } from '../../api/index.ts';
import { validateConfig, type ConfigFiles, type ValidationResult } from '../../nats/nats-server-test.ts';
import { childNames, ENV, PATHS, podFqdn, podMounts, PORTS, ROOTS } from '../../render/index.ts';

type Obj = { kind: string; metadata: { name: string }; data?: Record<string, string> };
const b64 = (value: string | undefined) =>
  value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');

/**
 * The files nats-server would see in pod 0, laid out by the same table the StatefulSet mounts
 * (render/layout.ts podMounts): rendered ConfigMap and Secrets from `objects`, certificates from the
 * Secrets cert-manager issued (`leafSecrets`, by Secret name).
 */
export function configFilesFor(
  cluster: NatsCluster,
  objects: object[],
  leafSecrets: Record<string, Record<string, string> | undefined>,
  clusterDomain: string,
): ConfigFiles {
  const names = childNames(cluster.metadata.name);
  const find = (kind: string, name: string) =>
    (objects as Obj[]).find((o) => o.kind === kind && o.metadata.name === name);
  const files: Record<string, string | undefined> = {};
  for (const { path, source } of podMounts(cluster)) {
    if (!source) continue;
    const name = names[source.name];
    const data = source.issued ? leafSecrets[name] : find(source.kind, name)?.data;
    for (const file of source.files)
      files[`${path}/${file}`] = source.kind === 'Secret' ? b64(data?.[file]) : data?.[file];
  }
  const pod = `${cluster.metadata.name}-0`;
  const fqdn = podFqdn(cluster, 0, clusterDomain);
  return {
    files: Object.fromEntries(Object.entries(files).filter((e): e is [string, string] => e[1] !== undefined)),
    confPath: PATHS.confFile,
    env: {
      [ENV.podName]: pod,
      [ENV.podIP]: '127.0.0.1',
      [ENV.podNamespace]: cluster.metadata.namespace ?? 'default',
      [ENV.clientAdvertise]: `${fqdn}:${PORTS.client}`,
      [ENV.clusterAdvertise]: `${fqdn}:${PORTS.cluster}`,
    },
    roots: Object.values(ROOTS).map((root) => `${root}/`),
  };
}

export class ConfigValidator {
  private readonly passed = new Map<string, string>();

  async validate(key: string, config: ConfigFiles): Promise<ValidationResult> {
    const digest = createHash('sha256').update(JSON.stringify(config)).digest('hex');
    if (this.passed.get(key) === digest) return { ok: true };
    const result = await validateConfig(config);
    if (result.ok === true) this.passed.set(key, digest);
    return result;
  }
}
