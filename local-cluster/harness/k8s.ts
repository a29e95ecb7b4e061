// What the e2e specs use to talk to the cluster (the harness's or any KUBECONFIG): kubectl with
// JSON in and out, throwaway namespaces, polling with a deadline, and HTTP to a pod's port — direct
// on the local harness (pod addresses are local), through the API server's pod proxy elsewhere.
import { kubectl } from './kubectl.ts';
import { get } from './health.ts';
import type { Obj } from '../types.ts';

export function kubeconfig(): string {
  const path = process.env.KUBECONFIG;
  if (!path) throw new Error('KUBECONFIG is not set (the e2e global setup sets it)');
  return path;
}

export const k = (args: string[], input?: string, timeoutMs?: number) =>
  kubectl(kubeconfig(), args, input, timeoutMs);

export async function getJson(args: string[]): Promise<Obj> {
  return JSON.parse(await k([...args, '-o', 'json']));
}

export async function apply(objects: Obj[]): Promise<void> {
  await k(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }));
}

export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 120_000,
  everyMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} ${last}`);
}

export async function createNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${Math.random().toString(36).slice(2, 7)}`;
  await k(['create', 'namespace', name]);
  await waitUntil(
    `service account default in ${name}`,
    async () => (await k(['get', 'serviceaccount', 'default', '-n', name])) !== '',
    30_000,
  );
  return name;
}

export async function deleteNamespace(name: string, wait = false): Promise<void> {
  await k(['delete', 'namespace', name, `--wait=${wait}`, '--ignore-not-found'], undefined, 180_000);
}

export function isReady(pod: Obj): boolean {
  return Boolean(pod?.status?.conditions?.some((c: Obj) => c.type === 'Ready' && c.status === 'True'));
}

export async function pods(namespace: string, selector: string): Promise<Obj[]> {
  return (await getJson(['get', 'pods', '-n', namespace, '-l', selector])).items;
}

/**
 * True when the specs run on the local cluster the global setup started or reused, false against
 * another cluster (KUBECONFIG, such as kind): only the local one has the images built here and
 * reaches pod addresses from the test process.
 */
export const onLocalCluster = (): boolean => process.env.NATS_WARDEN_E2E_HARNESS === '1';

/** GET http://<pod>:<port><path>, returning the body; throws on a non-2xx answer. */
export async function podGet(namespace: string, pod: string, port: number, path: string): Promise<string> {
  const obj = await getJson(['get', 'pod', pod, '-n', namespace]);
  const ip: string | undefined = obj.status?.podIP;
  if (!ip) throw new Error(`pod ${namespace}/${pod} has no IP yet`);
  if (onLocalCluster()) {
    const r = await get(`http://${ip}:${port}${path}`);
    if (r.status < 200 || r.status >= 300) throw new Error(`GET ${path}: ${r.status}`);
    return r.body;
  }
  return k(['get', '--raw', `/api/v1/namespaces/${namespace}/pods/${pod}:${port}/proxy${path}`]);
}
