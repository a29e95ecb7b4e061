// Where every file lives inside a nats pod. nats.conf refers to these paths and the StatefulSet
// mounts the volumes at them; keeping both in one table keeps them in step. Includes are relative
// to nats.conf's directory because nats-server joins include paths onto it (absolute ones break).

export const PORTS = { client: 4222, cluster: 6222, monitor: 8222 } as const;

export const PATHS = {
  configDir: '/etc/nats/config',
  confFile: '/etc/nats/config/nats.conf',
  authDir: '/etc/nats/secrets/auth',
  routesAuthDir: '/etc/nats/secrets/routes',
  jetstreamKeyDir: '/etc/nats/secrets/jetstream',
  serverCertDir: '/etc/nats/certs/server',
  routesCertDir: '/etc/nats/certs/routes',
  trustDir: '/etc/nats/trust',
  runDir: '/var/run/nats',
  pidFile: '/var/run/nats/nats.pid',
  dataDir: '/data',
  jetstreamStoreDir: '/data/jetstream',
  jwtDir: '/data/jwt',
} as const;

/** File names inside the Secrets and ConfigMap. */
export const FILES = {
  conf: 'nats.conf',
  authConf: 'auth.conf',
  routesConf: 'routes.conf',
  jetstreamConf: 'jetstream.conf',
  caBundle: 'ca.crt',
} as const;

/** Include paths, relative to PATHS.configDir. */
export const INCLUDES = {
  auth: `../secrets/auth/${FILES.authConf}`,
  routes: `../secrets/routes/${FILES.routesConf}`,
  jetstream: `../secrets/jetstream/${FILES.jetstreamConf}`,
} as const;

/** Environment variables the pod gets and nats.conf reads with $NAME. */
export const ENV = {
  podName: 'POD_NAME',
  podIP: 'POD_IP',
  podNamespace: 'POD_NAMESPACE',
  clientAdvertise: 'CLIENT_ADVERTISE',
  clusterAdvertise: 'CLUSTER_ADVERTISE',
} as const;
