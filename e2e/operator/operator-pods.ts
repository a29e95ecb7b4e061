// The operator as users run it, as pods on the local cluster's real nodes: the real helm binary
// against the harness's kubeconfig, the values that name the image the harness imported into them, and what a spec asks of the running operator: its pods,
// the holder of its leader Lease, its /metrics, and the API server's answer to `kubectl auth can-i`.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  getJson,
  imageArchive,
  isReady,
  k,
  kubeconfig,
  realNodeNames,
  toolPath,
  waitUntil,
  type Obj,
} from '@nats-warden/local-cluster';

const execFileAsync = promisify(execFile);

/** `helm ARGS` with the harness's kubeconfig; throws with helm's own output when it fails. */
export async function helm(args: string[], timeoutMs = 300_000): Promise<string> {
  try {
    const { stdout } = await execFileAsync(toolPath('helm'), ['--kubeconfig', kubeconfig(), ...args], {
      encoding: 'utf8',
      timeout: timeoutMs,
    });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`helm ${args.join(' ')} failed: ${e.stderr || e.message}\n${e.stdout ?? ''}`, {
      cause: error,
    });
  }
}

/** The image the harness imported into every real node, as `repository` and `tag`. */
export function importedImage(name: 'nats-warden' | 'nats-server'): { repository: string; tag: string } {
  const reference = imageArchive(name).reference;
  const colon = reference.lastIndexOf(':');
  return { repository: reference.slice(0, colon), tag: reference.slice(colon + 1) };
}

/** Chart values for the local cluster: the imported image (nothing can be pulled); nothing else differs. */
export const realNodeValues = (extra: Record<string, unknown> = {}): Record<string, any> => ({
  image: { ...importedImage('nats-warden'), pullPolicy: 'Never' },
  ...extra,
});

export interface OperatorPod {
  name: string;
  uid: string;
  ip: string;
  node: string;
  ready: boolean;
  serviceAccount: string;
  image: string;
  replicaSet: string;
}

export async function operatorPods(namespace: string): Promise<OperatorPod[]> {
  const list = await getJson(['get', 'pods', '-n', namespace, '-l', 'app.kubernetes.io/name=nats-warden']);
  return (list.items as Obj[])
    .filter((p) => !p.metadata.deletionTimestamp)
    .map((p) => ({
      name: p.metadata.name,
      uid: p.metadata.uid,
      ip: p.status?.podIP ?? '',
      node: p.spec.nodeName ?? '',
      ready: isReady(p),
      serviceAccount: p.spec.serviceAccountName,
      image: p.spec.containers[0].image,
      replicaSet: p.metadata.ownerReferences?.find((o: Obj) => o.kind === 'ReplicaSet')?.name ?? '',
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Waits for `count` ready operator pods, all on real nodes; fails at once on an image or crash error. */
export async function readyOperatorPods(namespace: string, count: number, timeoutMs = 180_000) {
  return waitUntil(
    `${count} ready operator pods in ${namespace}`,
    async () => {
      const list = await getJson([
        'get',
        'pods',
        '-n',
        namespace,
        '-l',
        'app.kubernetes.io/name=nats-warden',
      ]);
      for (const p of list.items as Obj[])
        for (const c of p.status?.containerStatuses ?? []) {
          const reason = c.state?.waiting?.reason;
          if (reason && /ErrImage|ImagePull|CrashLoop|CreateContainer/.test(reason))
            throw new Error(`${p.metadata.name}: ${reason}: ${c.state.waiting.message ?? ''}`);
        }
      const found = await operatorPods(namespace);
      return found.length === count && found.every((p) => p.ready) && found;
    },
    timeoutMs,
    1_000,
  );
}

export const onRealNodes = (pods: { node: string }[]) =>
  pods.every((p) => (realNodeNames as readonly string[]).includes(p.node));

/** The holder of the operator's leader Lease in `namespace`, or '' while there is none. */
export async function leaseHolder(namespace: string): Promise<string> {
  const out = await k(['get', 'lease', 'nats-warden-leader', '-n', namespace, '-o', 'json']).catch(() => '');
  return out ? ((JSON.parse(out) as Obj).spec?.holderIdentity ?? '') : '';
}

/** Waits until one of `candidates` holds the Lease; returns it. */
export const leaderAmong = (namespace: string, candidates: string[], timeoutMs = 60_000) =>
  waitUntil(
    `one of ${candidates.join(', ')} holding the Lease in ${namespace}`,
    async () => {
      const holder = await leaseHolder(namespace);
      return candidates.includes(holder) && holder;
    },
    timeoutMs,
    500,
  );

/** A pod's /metrics, reached at its address (the spec runs in the cluster's network namespace). */
export async function metricsOf(pod: OperatorPod, port = 8081): Promise<string> {
  const response = await fetch(`http://${pod.ip}:${port}/metrics`, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`GET /metrics of ${pod.name}: ${response.status}`);
  return response.text();
}

/** The value of one sample (`name{labels}`) in Prometheus text, 0 when absent. */
export function sample(metrics: string, series: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/**
 * `kubectl auth can-i VERB RESOURCE --as=SA` plus `scope` flags: 'yes' or 'no' as kubectl prints it
 * (it exits 1 on "no", so its output is read whatever the exit).
 */
export async function canI(serviceAccount: string, verb: string, resource: string, scope: string[]) {
  const args = [`--kubeconfig=${kubeconfig()}`, 'auth', 'can-i', verb, resource, `--as=${serviceAccount}`];
  const out = await execFileAsync(toolPath('kubectl'), [...args, ...scope], { encoding: 'utf8' }).then(
    (r) => r.stdout,
    (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`,
  );
  const answer = out.trim().split('\n')[0];
  if (answer === 'yes' || answer === 'no') return answer;
  throw new Error(`kubectl auth can-i ${verb} ${resource} ${scope.join(' ')} gave no answer: ${out}`);
}
