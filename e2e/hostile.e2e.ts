// The hostile table (test/hostile/table.ts) against the real API server with the operator running
// beside examples/config-accounts.yaml: every admission entry is refused by kubectl naming its field,
// every degraded entry aimed at the `tenants` cluster is admitted, left out and Degraded naming its
// field — and through all of it the operator never restarts, the cluster stays Ready, the
// `tenants-auth` Secret keeps every byte, and billing-app still round-trips. Degraded entries aimed
// at the verifyAndMap or JWT examples are proven offline only (table.test.ts): they would need two
// more clusters (and cert-manager) running on a 2-core machine.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { apply, getJson, k, waitUntil } from '@nats-warden/local-cluster';
import { HOSTILE, isAdmission, type HostileEntry } from '../test/hostile/table.ts';
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

describe('the hostile table on the real API server, with the operator running', () => {
  test('each entry is refused at admission or left out Degraded naming its field; nobody else notices', async () => {
    const pid = operator.pid;
    await apply(exampleIn('config-accounts.yaml', bed.namespace));
    await waitForCondition(bed.api, bed.namespace, CLUSTER, 'Ready', 'True', 300_000);
    const authBefore = await secretData(bed.api, bed.namespace, `${CLUSTER}-auth`);

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
    const degradedEntries = HOSTILE.filter((e) => !isAdmission(e.outcome) && e.target === 'tenants');
    await apply(degradedEntries.map(inNamespace));
    const key = (kind: string, name: string) => `${kind}/${name}`;
    const degradedOf = async () => {
      const list = await getJson(['get', 'natsaccounts,natsusers', '-n', bed.namespace]);
      return new Map<string, ClusterCondition | undefined>(
        list.items.map((item: any) => [
          key(item.kind, item.metadata.name),
          (item.status?.conditions ?? []).find((c: ClusterCondition) => c.type === 'Degraded'),
        ]),
      );
    };
    const conditions = await waitUntil(
      'every degraded entry Degraded',
      async () => {
        const seen = await degradedOf();
        return (
          degradedEntries.every((e) => seen.get(key(e.doc.kind, e.doc.metadata.name))?.status === 'True') &&
          seen
        );
      },
      180_000,
      2_000,
    );
    const misreported = degradedEntries.flatMap((entry) => {
      const { reason, field } = (entry.outcome as { degraded: { reason: string; field: string } }).degraded;
      const condition = conditions.get(key(entry.doc.kind, entry.doc.metadata.name));
      return condition?.reason === reason && condition.message.includes(`${field}:`)
        ? []
        : [`${entry.name}: expected ${reason} naming ${field}, got ${JSON.stringify(condition)}`];
    });
    expect(misreported).toEqual([]);
    for (const name of [
      'NatsAccount/orders',
      'NatsAccount/billing',
      'NatsAccount/system',
      'NatsUser/billing-app',
    ])
      expect(conditions.get(name)?.status).toBe('False');

    // 0 crashes: the operator that started is the one still running, and healthy.
    expect(bed.operators.map((o) => o.pid)).toEqual([pid]);
    expect(alive(pid)).toBe(true);
    expect((await fetch(`${operator.healthUrl}/healthz`)).status).toBe(200);

    // Nothing of theirs was rendered; the others' configuration kept every byte.
    expect(await secretData(bed.api, bed.namespace, `${CLUSTER}-auth`)).toEqual(authBefore);
    const cluster = await natsCluster(bed.api, bed.namespace, CLUSTER);
    expect(conditionOf(cluster, 'Ready')?.status).toBe('True');
    expect(conditionOf(cluster, 'Degraded')?.status).toBe('False');
    const hostileUsers = degradedEntries.filter((e) => e.doc.kind === 'NatsUser');
    const secrets = await k(['get', 'secrets', '-n', bed.namespace, '-o', 'name']);
    for (const e of hostileUsers)
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
      `figure: hostile table ${admissionEntries.length + degradedEntries.length} entries: ` +
        `${admissionEntries.length} rejected at admission, ${degradedEntries.length} degraded, 0 crashes ` +
        `(${HOSTILE.length - admissionEntries.length - degradedEntries.length} degraded entries for the verifyAndMap and JWT examples checked offline only)\n`,
    );
  });
});
