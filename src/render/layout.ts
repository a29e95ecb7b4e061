// Where every file lives inside a nats pod. nats.conf refers to these paths, the StatefulSet mounts
// the volumes at them, and the `nats-server -t` check (controllers/natscluster/config-check.ts)
// lays the same files out from the same table, so the three stay in step. Includes are relative
// to nats.conf's directory because nats-server joins include paths onto it (absolute ones break).
import type { NatsCluster } from '../api/index.ts';
import type { childNames } from './names.ts';

export const PORTS = { client: 4222, cluster: 6222, monitor: 8222 } as const;

/** File names inside the Secrets and ConfigMap. */
export const FILES = {
  conf: 'nats.conf',
  authConf: 'auth.conf',
  routesConf: 'routes.conf',
  jetstreamConf: 'jetstream.conf',
  caBundle: 'ca.crt',
  /** In cert-manager's certificate Secrets. */
  tlsCert: 'tls.crt',
  tlsKey: 'tls.key',
} as const;

/** The trees every in-pod path lives under (the `nats-server -t` check re-roots exactly these). */
export const ROOTS = { etc: '/etc/nats', run: '/var/run/nats', data: '/data' } as const;

export const PATHS = {
  configDir: `${ROOTS.etc}/config`,
  confFile: `${ROOTS.etc}/config/${FILES.conf}`,
  authDir: `${ROOTS.etc}/secrets/auth`,
  routesAuthDir: `${ROOTS.etc}/secrets/routes`,
  jetstreamKeyDir: `${ROOTS.etc}/secrets/jetstream`,
  serverCertDir: `${ROOTS.etc}/certs/server`,
  routesCertDir: `${ROOTS.etc}/certs/routes`,
  trustDir: `${ROOTS.etc}/trust`,
  runDir: ROOTS.run,
  pidFile: `${ROOTS.run}/nats.pid`,
  dataDir: ROOTS.data,
  jetstreamStoreDir: `${ROOTS.data}/jetstream`,
  jwtDir: `${ROOTS.data}/jwt`,
} as const;

// Every directory here is under ROOTS.etc, as PATHS.configDir is, so it is one `..` away from it: plain
// text (node:path's relative() in cold code was a tenth of a CLI start's module set-up); layout.test.ts
// compares it with relative().
const fromConfigDir = (dir: string, file: string) => `../${dir.slice(`${ROOTS.etc}/`.length)}/${file}`;

/** Include paths, relative to PATHS.configDir. */
export const INCLUDES = {
  auth: fromConfigDir(PATHS.authDir, FILES.authConf),
  routes: fromConfigDir(PATHS.routesAuthDir, FILES.routesConf),
  jetstream: fromConfigDir(PATHS.jetstreamKeyDir, FILES.jetstreamConf),
} as const;

/** Environment variables the pod gets and nats.conf reads with $NAME. */
export const ENV = {
  podName: 'POD_NAME',
  podIP: 'POD_IP',
  podNamespace: 'POD_NAMESPACE',
  clientAdvertise: 'CLIENT_ADVERTISE',
  clusterAdvertise: 'CLUSTER_ADVERTISE',
} as const;

type ChildName = keyof ReturnType<typeof childNames>;

/** One volume of the nats container: where it is mounted and what fills it. */
export interface Mount {
  /** The volume's name, and its mount's. */
  volume: string;
  path: string;
  /** The ConfigMap or Secret (by its childNames key) and the files in it; none for writable scratch space. */
  source?: {
    kind: 'ConfigMap' | 'Secret';
    name: ChildName;
    files: readonly string[];
    /** Issued by cert-manager from a rendered Certificate, not rendered itself. */
    issued?: boolean;
  };
}

/** The nats container's volumes, in the order the StatefulSet lists them. */
export function podMounts(cluster: NatsCluster): Mount[] {
  const secret = (
    volume: string,
    path: string,
    name: ChildName,
    files: string[],
    issued?: boolean,
  ): Mount => ({
    volume,
    path,
    source: { kind: 'Secret', name, files, ...(issued ? { issued } : {}) },
  });
  const certificate = (volume: string, path: string, name: ChildName) =>
    secret(volume, path, name, [FILES.tlsCert, FILES.tlsKey], true);
  return [
    {
      volume: 'config',
      path: PATHS.configDir,
      source: { kind: 'ConfigMap', name: 'config', files: [FILES.conf] },
    },
    secret('auth', PATHS.authDir, 'authSecret', [FILES.authConf]),
    secret('routes-auth', PATHS.routesAuthDir, 'routesAuthSecret', [FILES.routesConf]),
    ...(cluster.spec.jetstream.encryption
      ? [secret('jetstream-key', PATHS.jetstreamKeyDir, 'jetstreamKeySecret', [FILES.jetstreamConf])]
      : []),
    certificate('server-tls', PATHS.serverCertDir, 'serverSecret'),
    certificate('routes-tls', PATHS.routesCertDir, 'routesSecret'),
    secret('trust-bundle', PATHS.trustDir, 'trustBundle', [FILES.caBundle]),
    { volume: 'run', path: PATHS.runDir },
    { volume: 'data', path: PATHS.dataDir },
  ];
}
