// Turns the rendered objects (and the issued certificate Secrets) into the files a pod would see,
// for `nats-server -t` before anything is applied. Remembers what already passed, by digest, so a
// steady-state reconcile does not re-run the binary.
import { createHash } from 'node:crypto';
import type { NatsCluster } from '../../api/index.ts';
import { validateConfig, type ConfigFiles, type ValidationResult } from '../../nats/nats-server-test.ts';
import { childNames, ENV, FILES, PATHS, podFqdn } from '../../render/index.ts';

type Obj = { kind: string; metadata: { name: string }; data?: Record<string, string> };
const b64 = (value: string | undefined) =>
  value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');

export function configFilesFor(
  cluster: NatsCluster,
  objects: object[],
  leafSecrets: Record<string, Record<string, string> | undefined>,
  clusterDomain: string,
): ConfigFiles {
  const names = childNames(cluster.metadata.name);
  const find = (kind: string, name: string) =>
    (objects as Obj[]).find((o) => o.kind === kind && o.metadata.name === name);
  const files: Record<string, string | undefined> = {
    [`${PATHS.configDir}/${FILES.conf}`]: find('ConfigMap', names.config)?.data?.[FILES.conf],
    [`${PATHS.authDir}/${FILES.authConf}`]: b64(find('Secret', names.authSecret)?.data?.[FILES.authConf]),
    [`${PATHS.routesAuthDir}/${FILES.routesConf}`]: b64(
      find('Secret', names.routesAuthSecret)?.data?.[FILES.routesConf],
    ),
    [`${PATHS.jetstreamKeyDir}/${FILES.jetstreamConf}`]: b64(
      find('Secret', names.jetstreamKeySecret)?.data?.[FILES.jetstreamConf],
    ),
    [`${PATHS.trustDir}/${FILES.caBundle}`]: b64(find('Secret', names.trustBundle)?.data?.[FILES.caBundle]),
  };
  for (const [dir, secret] of [
    [PATHS.serverCertDir, names.serverSecret],
    [PATHS.routesCertDir, names.routesSecret],
  ] as const) {
    files[`${dir}/tls.crt`] = b64(leafSecrets[secret]?.['tls.crt']);
    files[`${dir}/tls.key`] = b64(leafSecrets[secret]?.['tls.key']);
  }
  const pod = `${cluster.metadata.name}-0`;
  const fqdn = podFqdn(cluster, 0, clusterDomain);
  return {
    files: Object.fromEntries(Object.entries(files).filter((e): e is [string, string] => e[1] !== undefined)),
    confPath: `${PATHS.configDir}/${FILES.conf}`,
    env: {
      [ENV.podName]: pod,
      [ENV.podIP]: '127.0.0.1',
      [ENV.podNamespace]: cluster.metadata.namespace ?? 'default',
      [ENV.clientAdvertise]: `${fqdn}:4222`,
      [ENV.clusterAdvertise]: `${fqdn}:6222`,
    },
    roots: ['/etc/nats/', '/var/run/nats/', '/data/'],
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
