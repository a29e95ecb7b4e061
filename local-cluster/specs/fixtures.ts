// Workloads the e2e specs deploy. The "probe" container is a few lines of Node serving files from
// its mounts and resolving names, so a spec can look inside a pod without exec. On the local cluster
// nothing can be pulled: the images built here stand in (nats-server for nats, nats-box's Debian
// shell for busybox, the operator image's Node for node); on another cluster (KUBECONFIG, such as
// kind) the public images are pulled.
import type { Obj } from '../types.ts';
import { onLocalCluster } from '../harness/k8s.ts';
import { imageArchive } from '../tools/tools.ts';

export const images = onLocalCluster()
  ? {
      nats: imageArchive('nats-server').reference,
      busybox: imageArchive('nats-box').reference,
      node: imageArchive('nats-warden').reference,
    }
  : { nats: 'nats:2.15.2-alpine', busybox: 'busybox:1.37', node: 'node:24-alpine' };

const probeServer = `
import http from 'node:http';
import dns from 'node:dns/promises';
import fs from 'node:fs';
import path from 'node:path';
const port = Number(process.env.PROBE_PORT || 8080);
http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://probe');
  try {
    if (url.pathname === '/resolve') {
      const found = await dns.lookup(url.searchParams.get('name'), { all: true, family: 4 });
      return res.end(JSON.stringify(found.map((a) => a.address).sort()));
    }
    if (url.pathname === '/env') return res.end(process.env[url.searchParams.get('name')] ?? '');
    if (url.pathname === '/file') return res.end(fs.readFileSync(url.searchParams.get('path')));
    if (url.pathname === '/atomic') {
      const dir = url.searchParams.get('dir');
      const link = fs.readlinkSync(path.join(dir, '..data'));
      const files = {};
      for (const name of fs.readdirSync(path.join(dir, link))) files[name] = fs.readFileSync(path.join(dir, link, name), 'utf8');
      const visible = {};
      for (const name of fs.readdirSync(dir).filter((n) => !n.startsWith('..'))) visible[name] = fs.readlinkSync(path.join(dir, name));
      const direct = {};
      for (const name of Object.keys(visible)) direct[name] = fs.readFileSync(path.join(dir, name), 'utf8');
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify({ link, files, visible, direct }));
    }
    res.end('ok');
  } catch (error) {
    res.statusCode = 500;
    res.end(String(error));
  }
}).listen(port, process.env.POD_IP || '0.0.0.0');
`;

export function probeConfigMap(namespace: string): Obj {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'probe', namespace },
    data: { 'server.mjs': probeServer },
  };
}

const podIPEnv = [
  { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
  { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
  { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
];

/** The probe container: serves GET /file?path=, /atomic?dir=, /resolve?name= and /env?name= on port 8080. */
export function probeContainer(volumeMounts: Obj[]): Obj {
  return {
    name: 'probe',
    image: images.node,
    command: ['node', '/probe/server.mjs'],
    env: podIPEnv,
    ports: [{ name: 'probe', containerPort: 8080 }],
    readinessProbe: { httpGet: { path: '/', port: 'probe' }, periodSeconds: 1 },
    volumeMounts: [{ name: 'probe', mountPath: '/probe', readOnly: true }, ...volumeMounts],
  };
}

export const probeVolume = { name: 'probe', configMap: { name: 'probe' } };

function natsConf(name: string, namespace: string, replicas: number): string {
  const routes = Array.from(
    { length: replicas },
    (_, i) => `    nats-route://${name}-${i}.${name}.${namespace}.svc.cluster.local:6222`,
  );
  return [
    'server_name: $POD_NAME',
    'host: $POD_IP',
    'port: 4222',
    'http_port: 8222',
    'pid_file: /var/run/nats/nats.pid',
    'cluster {',
    `  name: ${name}`,
    '  host: $POD_IP',
    '  port: 6222',
    '  routes: [',
    ...routes,
    '  ]',
    '}',
    '',
  ].join('\n');
}

/** A plain clustered nats StatefulSet with a PVC per pod and a probe sidecar that can read /data. */
export function natsStatefulSet(
  namespace: string,
  name: string,
  replicas = 3,
  podAnnotations: Record<string, string> = {},
): Obj[] {
  const labels = { app: name };
  return [
    probeConfigMap(namespace),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${name}-config`, namespace },
      data: { 'nats.conf': natsConf(name, namespace, replicas) },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace },
      spec: {
        clusterIP: 'None',
        publishNotReadyAddresses: true,
        selector: labels,
        ports: [{ name: 'cluster', port: 6222 }],
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name, namespace },
      spec: {
        serviceName: name,
        replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels, annotations: podAnnotations },
          spec: {
            terminationGracePeriodSeconds: 10,
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: 'kubernetes.io/hostname',
                whenUnsatisfiable: 'DoNotSchedule',
                labelSelector: { matchLabels: labels },
              },
            ],
            initContainers: [
              {
                name: 'marker',
                image: images.busybox,
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
                command: [
                  'sh',
                  '-c',
                  '[ -f /data/marker ] || cat /proc/sys/kernel/random/uuid > /data/marker',
                ],
              },
            ],
            containers: [
              {
                name: 'nats',
                image: images.nats,
                args: ['--config', '/etc/nats/nats.conf'],
                env: podIPEnv,
                ports: [
                  { name: 'client', containerPort: 4222 },
                  { name: 'cluster', containerPort: 6222 },
                  { name: 'monitor', containerPort: 8222 },
                ],
                startupProbe: {
                  httpGet: { path: '/healthz', port: 'monitor' },
                  periodSeconds: 1,
                  failureThreshold: 60,
                },
                readinessProbe: { httpGet: { path: '/healthz', port: 'monitor' }, periodSeconds: 2 },
                livenessProbe: { httpGet: { path: '/healthz', port: 'monitor' }, periodSeconds: 10 },
                volumeMounts: [
                  { name: 'config', mountPath: '/etc/nats', readOnly: true },
                  { name: 'run', mountPath: '/var/run/nats' },
                  { name: 'data', mountPath: '/data' },
                ],
              },
              probeContainer([{ name: 'data', mountPath: '/data', readOnly: true }]),
            ],
            volumes: [
              { name: 'config', configMap: { name: `${name}-config` } },
              { name: 'run', emptyDir: {} },
              probeVolume,
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '64Mi' } } },
          },
        ],
      },
    },
  ];
}
