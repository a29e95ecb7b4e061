// What the e2e specs ask of a running NatsCluster: its pods, each server's /varz and /routez over
// HTTPS (verified against the cluster's trust bundle and the pod's DNS name), and a forced renewal
// of a certificate the way `cmctl renew` triggers one (the Issuing condition set to True).
import { readdirSync, readFileSync } from 'node:fs';
import { fetchMonitor, type Routez, type Varz } from '../../src/nats/monitor.ts';
import { getJson, k } from '@nats-warden/local-cluster';
import { secretData, type Api } from './cluster-api.ts';

export interface PodInfo {
  name: string;
  uid: string;
  ip: string;
  ready: boolean;
  restarts: number;
  revision: string;
}

export async function clusterPods(namespace: string, cluster: string): Promise<PodInfo[]> {
  const list = await getJson([
    'get',
    'pods',
    '-n',
    namespace,
    '-l',
    `app.kubernetes.io/instance=${cluster},app.kubernetes.io/name=nats`,
  ]);
  return (list.items ?? [])
    .map((p: any) => ({
      name: p.metadata.name,
      uid: p.metadata.uid,
      ip: p.status?.podIP ?? '',
      ready: (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'),
      restarts: (p.status?.containerStatuses ?? []).reduce(
        (n: number, c: any) => n + (c.restartCount ?? 0),
        0,
      ),
      revision: p.metadata.labels?.['controller-revision-hash'] ?? '',
    }))
    .sort((a: PodInfo, b: PodInfo) => a.name.localeCompare(b.name));
}

export async function monitor<T>(
  api: Api,
  namespace: string,
  cluster: string,
  pod: PodInfo,
  path: string,
): Promise<T> {
  const trust = await secretData(api, namespace, `${cluster}-trust-bundle`);
  const response = await fetchMonitor<T>(
    {
      host: pod.ip,
      port: 8222,
      https: true,
      servername: `${pod.name}.${cluster}-headless.${namespace}.svc.cluster.local`,
      ca: trust['ca.crt'] ?? '',
    },
    path,
  );
  if (response.status !== 200) throw new Error(`${pod.name} ${path}: HTTP ${response.status}`);
  return response.body;
}

export const varz = (api: Api, ns: string, cluster: string, pod: PodInfo) =>
  monitor<Varz>(api, ns, cluster, pod, '/varz');
export const routez = (api: Api, ns: string, cluster: string, pod: PodInfo) =>
  monitor<Routez>(api, ns, cluster, pod, '/routez');

export async function certificate(namespace: string, name: string): Promise<any> {
  return getJson(['get', 'certificate', name, '-n', namespace]);
}

/** Sets Issuing=True on the Certificate's status, as `cmctl renew` does; cert-manager then re-issues. */
export async function forceRenewal(namespace: string, name: string): Promise<void> {
  const cert = await certificate(namespace, name);
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const conditions = (cert.status?.conditions ?? []).filter((c: any) => c.type !== 'Issuing');
  conditions.push({
    type: 'Issuing',
    status: 'True',
    reason: 'ManuallyTriggered',
    message: 'Certificate re-issuance manually triggered',
    lastTransitionTime: now,
    observedGeneration: cert.metadata.generation,
  });
  await k([
    'patch',
    'certificate',
    name,
    '-n',
    namespace,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({ status: { conditions } }),
  ]);
}

/**
 * The host PID of the reloader sidecar of a server pod on the local cluster's real nodes: the
 * process whose cgroup names the pod's UID (kubelet's cgroupfs layout, `.../pod<uid>/<container>`)
 * and whose command is `nats-warden reloader`. A spec stops it (SIGSTOP) to hold one server on its
 * old configuration: nats-server reloads only when the reloader signals it.
 */
export function reloaderPid(podUid: string): number {
  const marks = [`pod${podUid}`, `pod${podUid.replaceAll('-', '_')}`];
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const cgroup = readFileSync(`/proc/${entry}/cgroup`, 'utf8');
      if (!marks.some((mark) => cgroup.includes(mark))) continue;
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.includes('reloader') && args.includes('--pid-file')) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  throw new Error(`no reloader process found for pod ${podUid}`);
}
