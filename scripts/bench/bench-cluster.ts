// The accounts bench's test bed: the local control plane (started here, or reused), a namespace
// with its own operator as a separate process (as the e2e specs run it), a JWT-mode NatsCluster of
// 3 replicas that does not ask clients for a certificate, and the reads the bench times: a user's
// Secret, a client connect with it, and what each server itself holds for an account.
import { isUp, up, down, createNamespace, deleteNamespace, apply } from '@nats-warden/local-cluster';
import { copyFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { accountJwtHeld, connectSystem } from '../../src/nats/system-client.ts';
import { apiFor, secretData, waitForCondition, type Api } from '../../e2e/operator/cluster-api.ts';
import { connectWith, type Credentials } from '../../e2e/operator/nats-client.ts';
import { startOperator, stopOperator, type OperatorInstance } from '../../e2e/operator/operator-process.ts';
import { clusterPods } from '../../e2e/operator/servers.ts';

export const CLUSTER = 'bench';

/** What the bench reads of a NatsAccount or NatsUser. */
export interface BenchObject {
  metadata: { name: string };
  status?: {
    publicKey?: string;
    distribution?: { servers: number; current: number };
    conditions?: { type: string; status: string }[];
  };
}
const GROUP = { group: 'natswarden.io', version: 'v1alpha1' };

export const clusterManifest = (namespace: string) => ({
  apiVersion: 'natswarden.io/v1alpha1',
  kind: 'NatsCluster',
  metadata: { name: CLUSTER, namespace },
  spec: {
    replicas: 3,
    tls: { client: { verify: false } }, // no client certificate per user: creds alone
    // Room for the cold start's 1,000 accounts beside the others (the resolver's default limit is 1,000).
    auth: {
      mode: 'JWT',
      jwt: { resolver: { allowDelete: true, interval: '2m', timeout: '1.9s', limit: 2000 } },
    },
  },
});
export const accountManifest = (namespace: string, name: string, maxConnections = 100) => ({
  apiVersion: 'natswarden.io/v1alpha1',
  kind: 'NatsAccount',
  metadata: { name, namespace },
  spec: { clusterRef: { name: CLUSTER }, limits: { maxConnections } },
});
export const userManifest = (namespace: string, name: string, account: string) => ({
  apiVersion: 'natswarden.io/v1alpha1',
  kind: 'NatsUser',
  metadata: { name, namespace },
  spec: { accountRef: { name: account }, authType: 'Creds' },
});

export interface BenchBed {
  namespace: string;
  api: Api;
  kubeconfig: string;
  operator: OperatorInstance;
  startedControlPlane: boolean;
}

export async function openBed(say: (line: string) => void): Promise<BenchBed> {
  const startedControlPlane = !isUp();
  const t0 = Date.now();
  const kubeconfig = await up();
  process.env.KUBECONFIG = kubeconfig;
  // As the e2e harness does: the operator then runs the nats-server image built here, imported into
  // every real node (nothing can be pulled from a registry).
  process.env.NATS_WARDEN_E2E_HARNESS = '1';
  say(`control plane ${startedControlPlane ? `up in ${Math.round((Date.now() - t0) / 1000)} s` : 'reused'}`);
  const namespace = await createNamespace('bench');
  const operator = await startOperator(kubeconfig, `operator-${namespace}`, [
    '--namespace',
    namespace,
    '--leader-election-namespace',
    namespace,
  ]);
  say(`namespace ${namespace}; operator pid ${operator.pid}, log ${operator.log}`);
  return { namespace, api: apiFor(kubeconfig), kubeconfig, operator, startedControlPlane };
}

/** The operator's log lines at level warn or above, the last `n` (the log lives in .cluster/, removed by down). */
export function operatorProblems(bed: BenchBed, n = 3): string[] {
  try {
    return readFileSync(bed.operator.log, 'utf8')
      .split('\n')
      .filter((l) => /"level":(40|50|60)/.test(l) && !l.includes('watch failed'))
      .slice(-n)
      .map((l) => l.slice(0, 400));
  } catch {
    return [];
  }
}

export async function closeBed(bed: Partial<BenchBed>): Promise<void> {
  if (bed.operator) await stopOperator(bed.operator).catch(() => undefined);
  // Kept for reading after the control plane (and its log directory) is gone.
  if (bed.operator) copyFileSync(bed.operator.log, join(tmpdir(), `nats-warden-bench-${bed.namespace}.log`));
  if (bed.namespace) await deleteNamespace(bed.namespace).catch(() => undefined);
  if (bed.startedControlPlane) await down();
}

/**
 * @param nodeFlags Node's flags for the new process (a heap ceiling, a CPU profile)
 * @param launcher put before the command (a memory cgroup, memory-limit.ts)
 */
export async function restartOperator(bed: BenchBed, nodeFlags: string[] = [], launcher: string[] = []) {
  await stopOperator(bed.operator);
  bed.operator = await startOperator(
    bed.kubeconfig,
    `operator-${bed.namespace}`,
    ['--namespace', bed.namespace, '--leader-election-namespace', bed.namespace],
    nodeFlags,
    launcher,
  );
}

export async function createCluster(bed: BenchBed, accounts: string[]): Promise<void> {
  await apply([clusterManifest(bed.namespace), ...accounts.map((a) => accountManifest(bed.namespace, a))]);
  await waitForCondition(bed.api, bed.namespace, CLUSTER, 'Ready', 'True', 600_000);
}

export const createObject = (bed: BenchBed, plural: string, body: object) =>
  bed.api.custom.createNamespacedCustomObject({ ...GROUP, namespace: bed.namespace, plural, body });

export const listObjects = async (bed: BenchBed, plural: string): Promise<BenchObject[]> =>
  (
    (await bed.api.custom.listNamespacedCustomObject({ ...GROUP, namespace: bed.namespace, plural })) as {
      items: BenchObject[];
    }
  ).items;

export const patchAccount = (bed: BenchBed, name: string, spec: object) =>
  bed.api.custom.patchNamespacedCustomObject(
    { ...GROUP, namespace: bed.namespace, plural: 'natsaccounts', name, body: { spec } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );

/** The user's credentials Secret, or undefined while it does not exist. */
export async function userSecret(bed: BenchBed, user: string): Promise<Credentials | undefined> {
  try {
    return (await secretData(bed.api, bed.namespace, `${user}-nats-credentials`)) as unknown as Credentials;
  } catch (error) {
    if ((error as { code?: number }).code === 404) return undefined;
    throw error;
  }
}

/**
 * Names of the Secrets in the namespace, their metadata only: polled every second during the cold
 * start, a full list of 10,000 Secrets (about 40 MB) was a load on the API server of its own.
 */
export const secretNames = async (bed: BenchBed): Promise<Set<string>> =>
  new Set(
    (
      await bed.api.core.listNamespacedSecret(
        { namespace: bed.namespace },
        setHeaderOptions('Accept', 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io'),
      )
    ).items.map((s) => s.metadata!.name!),
  );

export const serverAddresses = async (bed: BenchBed) =>
  (await clusterPods(bed.namespace, CLUSTER)).map((p) => p.ip);

/** A client connect with the Secret alone (creds and ca.crt), as an application would. */
export const connectUser = (bed: BenchBed, address: string, credentials: Credentials) =>
  connectWith(address, credentials, undefined, `${CLUSTER}.${bed.namespace}.svc`);

/** A system-user connection to every server, to ask each what it holds. */
export async function systemConnection(bed: BenchBed): Promise<NatsConnection> {
  const identities = await secretData(bed.api, bed.namespace, `${CLUSTER}-identities`);
  const trust = await secretData(bed.api, bed.namespace, `${CLUSTER}-trust-bundle`);
  return connectSystem({
    servers: (await serverAddresses(bed)).map((ip) => `tls://${ip}:4222`),
    ca: trust['ca.crt']!,
    creds: identities['system-user.creds']!,
    servername: `${CLUSTER}.${bed.namespace}.svc`,
  });
}

/** maxConnections of the account JWT each server holds (undefined where a server holds none). */
export async function heldMaxConnections(
  nc: NatsConnection,
  publicKey: string,
): Promise<(number | undefined)[]> {
  const held = await accountJwtHeld(nc, publicKey, { servers: 3, timeoutMs: 3_000 });
  return held.map((h) =>
    h.jwt
      ? (
          JSON.parse(Buffer.from(h.jwt.split('.')[1]!, 'base64url').toString()) as {
            nats: { limits: { conn: number } };
          }
        ).nats.limits.conn
      : undefined,
  );
}
