// The hostile table (test/hostile/table.ts) against the real API server with the operator running
// beside examples/config-accounts.yaml: every admission entry is refused by kubectl naming its field,
// every degraded entry aimed at the `tenants` cluster is admitted, left out and Degraded naming its
// field — and through all of it the operator never restarts, the cluster stays Ready, the
// `tenants-auth` Secret keeps every byte, and billing-app still round-trips. The few degraded
// entries that need a verifyAndMap or a JWT cluster run beside those examples (one server each), whose
// auth Secrets, members and account keys must not change either.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { apply, getJson, k, waitUntil } from '@nats-warden/local-cluster';
import { HOSTILE, isAdmission, type HostileEntry, type Target } from '../test/hostile/table.ts';
import {
  conditionOf,
  natsCluster,
  secretData,
  serviceAddresses,
  waitForCondition,
  type ClusterCondition,
} from './operator/cluster-api.ts';
import { exampleIn, testBed, type TestBed } from './operator/fixtures.ts';
import { connectWith, roundTrip, type Credentials } from './operator/nats-client.ts';
import type { OperatorInstance } from './operator/operator-process.ts';

jest.setTimeout(900_000);
const CLUSTER = 'tenants'; // examples/config-accounts.yaml
let bed: TestBed;
let operator: OperatorInstance;

beforeAll(async () => {
  // This checkout's CRDs: the harness installs those of the checkout its package resolves to, which
  // is another one when a git worktree shares node_modules (a no-op otherwise).
  await k(['apply', '--server-side', '--force-conflicts', '-f', join(import.meta.dirname, '..', 'crds')]);
  await k(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']);
  bed = await testBed('hostile');
  operator = await bed.startOperator();
});
afterAll(async () => bed?.teardown());

const inNamespace = (entry: HostileEntry) => ({
  ...entry.doc,
  metadata: { ...entry.doc.metadata, namespace: bed.namespace },
});

/**
 * The API server's answer to one entry: '' when admitted, else its refusal. `create --validate=strict`
 * has the API server itself refuse unknown fields (kubectl apply checks those client-side first). A
 * NatsCluster is only dry-run, so a hole in its schema could never start servers on this machine.
 */
async function admit(entry: HostileEntry): Promise<string> {
  const dryRun = entry.doc.kind === 'NatsCluster' ? ['--dry-run=server'] : [];
  return k(['create', ...dryRun, '--validate=strict', '-f', '-'], JSON.stringify(inNamespace(entry))).then(
    () => '',
    (e: Error) => e.message,
  );
}

/** Runs `work` over `items`, `width` at a time (the machine has 2 cores). */
async function inParallel<T, R>(items: T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return results;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** The examples the entries aim at; the verifyAndMap and JWT ones on one server each (2 cores). */
const EXAMPLES: { target: Target; file: string; replicas?: number; bystanders: string[] }[] = [
  {
    target: 'tenants',
    file: 'config-accounts.yaml',
    bystanders: ['NatsAccount/orders', 'NatsAccount/billing', 'NatsAccount/system', 'NatsUser/billing-app'],
  },
  {
    target: 'mapped',
    file: 'mtls-verify-and-map.yaml',
    replicas: 1,
    bystanders: ['NatsAccount/payments', 'NatsUser/ledger', 'NatsUser/auditor'],
  },
  {
    target: 'jwt',
    file: 'jwt-operator.yaml',
    replicas: 1,
    bystanders: ['NatsAccount/telemetry', 'NatsAccount/analytics', 'NatsUser/sensor', 'NatsUser/dashboard'],
  },
];
const CLUSTERS = EXAMPLES.map((e) => e.target as string);

const key = (kind: string, name: string) => `${kind}/${name}`;
/** Every NatsAccount and NatsUser of the namespace, by kind/name. */
async function members(namespace: string): Promise<Map<string, any>> {
  const list = await getJson(['get', 'natsaccounts,natsusers', '-n', namespace]);
  return new Map(list.items.map((item: any) => [key(item.kind, item.metadata.name), item]));
}
const degradedOf = (member: any): ClusterCondition | undefined =>
  (member?.status?.conditions ?? []).find((c: ClusterCondition) => c.type === 'Degraded');
/** What a bystander's status says about its keys: a JWT account's key and when its JWT was signed. */
const keysOf = (member: any) => ({
  publicKey: member?.status?.publicKey,
  jwtIssuedAt: member?.status?.jwtIssuedAt,
});

describe('the hostile table on the real API server, with the operator running', () => {
  test('each entry is refused at admission or left out Degraded naming its field; nobody else notices', async () => {
    const pid = operator.pid;
    await apply(
      EXAMPLES.flatMap(({ file, replicas }) =>
        exampleIn(file, bed.namespace, (doc) => {
          // One server with JetStream (jwt) runs it standalone (ADR 0011).
          if (doc.kind === 'NatsCluster' && replicas) doc.spec.replicas = replicas;
        }),
      ),
    );
    await Promise.all(
      CLUSTERS.map((name) => waitForCondition(bed.api, bed.namespace, name, 'Ready', 'True', 420_000)),
    );
    const authBefore = await Promise.all(
      CLUSTERS.map((name) => secretData(bed.api, bed.namespace, `${name}-auth`)),
    );
    const bystanders = EXAMPLES.flatMap((e) => e.bystanders);
    const before = await members(bed.namespace);
    const keysBefore = bystanders.map((name) => keysOf(before.get(name)));

    // Admission: one at a time per lane, two lanes.
    const admissionEntries = HOSTILE.filter((e) => isAdmission(e.outcome));
    const answers = await inParallel(admissionEntries, 2, admit);
    const wrong = admissionEntries.flatMap((entry, i) => {
      const field = (entry.outcome as { admission: string }).admission;
      const answer = answers[i]!;
      if (answer === '') return [`ADMITTED: ${entry.name}: ${JSON.stringify(entry.doc)}`];
      return answer.includes(field) ? [] : [`not naming ${field}: ${entry.name}: ${answer}`];
    });
    expect(wrong).toEqual([]);

    // Degraded: all admitted together, then each must end Degraded naming its field.
    const degradedEntries = HOSTILE.filter((e) => !isAdmission(e.outcome));
    await apply(degradedEntries.map(inNamespace));
    const after = await waitUntil(
      'every degraded entry Degraded',
      async () => {
        const seen = await members(bed.namespace);
        const all = degradedEntries.every(
          (e) => degradedOf(seen.get(key(e.doc.kind, e.doc.metadata.name)))?.status === 'True',
        );
        return all && seen;
      },
      240_000,
      2_000,
    );
    const misreported = degradedEntries.flatMap((entry) => {
      const { reason, field } = (entry.outcome as { degraded: { reason: string; field: string } }).degraded;
      const condition = degradedOf(after.get(key(entry.doc.kind, entry.doc.metadata.name)));
      return condition?.reason === reason && condition.message.includes(`${field}:`)
        ? []
        : [`${entry.name}: expected ${reason} naming ${field}, got ${JSON.stringify(condition)}`];
    });
    expect(misreported).toEqual([]);
    expect(bystanders.filter((name) => degradedOf(after.get(name))?.status !== 'False')).toEqual([]);
    expect(bystanders.map((name) => keysOf(after.get(name)))).toEqual(keysBefore);

    // 0 crashes: the operator that started is the one still running, and healthy.
    expect(bed.operators.map((o) => o.pid)).toEqual([pid]);
    expect(alive(pid)).toBe(true);
    expect((await fetch(`${operator.healthUrl}/healthz`)).status).toBe(200);

    // Nothing of theirs was rendered; the others' configuration kept every byte.
    const authAfter = await Promise.all(
      CLUSTERS.map((name) => secretData(bed.api, bed.namespace, `${name}-auth`)),
    );
    expect(authAfter).toEqual(authBefore);
    for (const name of CLUSTERS) {
      const cluster = await natsCluster(bed.api, bed.namespace, name);
      expect([name, conditionOf(cluster, 'Ready')?.status]).toEqual([name, 'True']);
      expect([name, conditionOf(cluster, 'Degraded')?.status]).toEqual([name, 'False']);
    }
    const secrets = await k(['get', 'secrets', '-n', bed.namespace, '-o', 'name']);
    for (const e of degradedEntries.filter((e) => e.doc.kind === 'NatsUser'))
      expect(secrets).not.toContain(`secret/${e.doc.metadata.name}-nats-credentials`);

    // billing-app still logs in with its own credentials and round-trips.
    const credentials = (await secretData(
      bed.api,
      bed.namespace,
      'billing-app-nats-credentials',
    )) as unknown as Credentials;
    const [address] = await serviceAddresses(bed.api, bed.namespace, CLUSTER);
    const nc = await connectWith(address!, credentials, undefined, `${CLUSTER}.${bed.namespace}.svc`);
    await roundTrip(nc, 'billing.hostile');
    await nc.close();

    process.stderr.write(
      `figure: hostile table ${HOSTILE.length} entries: ${admissionEntries.length} rejected at admission, ` +
        `${degradedEntries.length} degraded, 0 crashes\n`,
    );
  });
});
