// GitOps tools judge health without custom checks only if our conditions read right to kstatus
// (sigs.k8s.io/cli-utils: Flux's health checks, kstatus-based waits). Live NatsClusters, NatsAccounts
// and NatsUsers, read from the API server, go through the pinned kstatus library itself (the
// `kstatus` tool, local-cluster/tools/kstatus/main.go) in each state a GitOps tool meets: Ready is
// Current; a spec change the operator has not observed yet is InProgress for every kind; a roll is
// InProgress until every server runs the new revision, then Current; bad input (Degraded, and so
// Stalled) is Failed with the message naming the field, and Current again once reverted. Argo CD
// does not use kstatus: every object judged here also goes through the health checks of
// examples/gitops/argo-cd/health-checks.yaml (the `argocd-health` tool: gopher-lua, as Argo CD runs
// them), which must say Healthy, Progressing and Degraded where kstatus says Current, InProgress and
// Failed.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { apply, getJson, k, repoRoot, toolPath, waitUntil } from '@nats-warden/local-cluster';
import { join } from 'node:path';
import { waitForCondition } from './operator/cluster-api.ts';
import { minimalCluster, testBed, type TestBed } from './operator/fixtures.ts';
import { stopOperator } from './operator/operator-process.ts';

jest.setTimeout(900_000);
const CLUSTER = 'gitops';
const ACCOUNT = `${CLUSTER}-app`; // minimalCluster's names
const USER = `${CLUSTER}-client`;
const OURS = [
  ['natscluster', CLUSTER],
  ['natsaccount', ACCOUNT],
  ['natsuser', USER],
] as const;
let bed: TestBed;

/** The Argo CD health check of each kind, from the example, as files for the argocd-health tool. */
const scriptDir = mkdtempSync(join(tmpdir(), 'argocd-health-'));
const argoConfig = load(
  readFileSync(join(repoRoot, 'examples', 'gitops', 'argo-cd', 'health-checks.yaml'), 'utf8'),
) as { data: Record<string, string> };
const scriptOf = (kind: string) => {
  const key = `resource.customizations.health.natswarden.io_${kind}`;
  const script = argoConfig.data[key];
  if (!script) throw new Error(`health-checks.yaml has no ${key}`);
  const file = join(scriptDir, `${kind}.lua`);
  writeFileSync(file, script);
  return file;
};
const KIND_OF: Record<string, string> = {
  natscluster: 'NatsCluster',
  natsaccount: 'NatsAccount',
  natsuser: 'NatsUser',
};
const ARGO_OF: Record<string, string> = { Current: 'Healthy', InProgress: 'Progressing', Failed: 'Degraded' };
/** Every verdict of the spec: each test ends checking that Argo CD's check agreed with kstatus. */
const verdicts: {
  kind: string;
  name: string;
  /** Whether the operator had written any condition yet. */
  reconciled: boolean;
  status: string;
  argo: string;
  argoMessage: string;
}[] = [];
// Before the operator's first status write there is nothing to judge, and the two differ by design:
// kstatus calls an object without conditions Current (cli-utils status.go, Compute's last rule), the
// Argo CD check Progressing. Those sightings are counted, not compared.
const disagreements = () => verdicts.filter((v) => v.reconciled && ARGO_OF[v.status] !== v.argo);
const unreconciled = () => verdicts.filter((v) => !v.reconciled);

beforeAll(async () => {
  // This checkout's CRDs (the harness installs those of the checkout its package resolves to).
  await k(['apply', '--server-side', '--force-conflicts', '-f', join(import.meta.dirname, '..', 'crds')]);
  await k(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=60s']);
  bed = await testBed('kstatus');
  await bed.startOperator();
});
afterAll(async () => {
  process.stderr.write(
    `figure: ${verdicts.length} objects judged by kstatus and by the Argo CD health check, ` +
      `${disagreements().length} disagreements; ${unreconciled().length} seen before the operator's first status ` +
      `(kstatus ${JSON.stringify([...new Set(unreconciled().map((v) => v.status))])}, ` +
      `Argo CD ${JSON.stringify([...new Set(unreconciled().map((v) => v.argo))])})\n`,
  );
  rmSync(scriptDir, { recursive: true, force: true });
  await bed?.teardown();
});

interface Judged {
  status: 'Current' | 'InProgress' | 'Failed' | 'Terminating' | 'Unknown';
  message: string;
  /** What kstatus was shown: the object's generation, observedGeneration and conditions. */
  generation: number;
  observedGeneration?: number;
  conditions: Record<string, string>;
}

/** kstatus' verdict on one live object, as `kubectl get -o json` returns it. */
async function kstatus(kind: string, name: string): Promise<Judged> {
  const object = await getJson(['get', kind, name, '-n', bed.namespace]);
  const child = execFile(toolPath('kstatus'), { encoding: 'utf8' });
  child.stdin?.end(JSON.stringify(object));
  const [result] = JSON.parse(await streamText(child)) as { status: Judged['status']; message: string }[];
  const argoChild = execFile(toolPath('argocd-health'), [scriptOf(KIND_OF[kind]!)], { encoding: 'utf8' });
  argoChild.stdin?.end(JSON.stringify(object));
  const argo = JSON.parse(await streamText(argoChild)) as { status: string; message: string };
  verdicts.push({
    kind,
    name,
    reconciled: Array.isArray(object.status?.conditions),
    status: result!.status,
    argo: argo.status,
    argoMessage: argo.message,
  });
  return {
    status: result!.status,
    message: result!.message,
    generation: object.metadata.generation,
    observedGeneration: object.status?.observedGeneration,
    conditions: Object.fromEntries(
      (object.status?.conditions ?? []).map((c: { type: string; status: string }) => [c.type, c.status]),
    ),
  };
}

async function streamText(child: ReturnType<typeof execFile>): Promise<string> {
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: string) => (out += d));
  child.stderr?.on('data', (d: string) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`${child.spawnfile} exited ${code}: ${err}`);
  return out;
}

const waitForKstatus = (kind: string, name: string, status: Judged['status'], timeoutMs = 300_000) =>
  waitUntil(
    `${kind} ${name} kstatus ${status}`,
    async () => {
      const judged = await kstatus(kind, name);
      return judged.status === status && judged;
    },
    timeoutMs,
    1_000,
  );

const patch = (kind: string, name: string, spec: object) =>
  k(['patch', kind, name, '-n', bed.namespace, '--type=merge', '-p', JSON.stringify({ spec })]);

describe('kstatus, the health GitOps tools compute, over live objects of every kind', () => {
  test('Ready is Current, for every kind', async () => {
    await apply(minimalCluster(bed.namespace, CLUSTER, 2));
    await waitForCondition(bed.api, bed.namespace, CLUSTER, 'Ready', 'True', 600_000);
    for (const [kind, name] of OURS) {
      const judged = await waitForKstatus(kind, name, 'Current');
      expect([kind, judged.conditions.Ready, judged.observedGeneration]).toEqual([
        kind,
        'True',
        judged.generation,
      ]);
    }
    expect(disagreements()).toEqual([]);
  });

  test('a spec change the operator has not observed yet is InProgress, for every kind', async () => {
    // The operator stopped: whatever the status says describes the previous generation.
    for (const op of bed.operators.splice(0)) await stopOperator(op);
    await patch('natscluster', CLUSTER, { limits: { maxConnections: 1000 } });
    await patch('natsaccount', ACCOUNT, { limits: { maxConnections: 500 } });
    await patch('natsuser', USER, { permissions: { publish: { allow: ['app.>'] } } });
    const unobserved = [];
    for (const [kind, name] of OURS) unobserved.push({ kind, ...(await kstatus(kind, name)) });
    process.stderr.write(`figure: unobserved ${JSON.stringify(unobserved)}\n`);
    for (const judged of unobserved) {
      expect([judged.kind, judged.conditions.Ready, judged.status]).toEqual([
        judged.kind,
        'True',
        'InProgress',
      ]);
      expect(judged.message).toBe(
        `${judged.kind === 'natscluster' ? 'NatsCluster' : judged.kind === 'natsaccount' ? 'NatsAccount' : 'NatsUser'} generation is ${judged.generation}, but latest observed generation is ${judged.generation - 1}`,
      );
    }
    // A new resource the operator has not seen has no status at all: kstatus calls that Current (its
    // rule for objects without conditions), so a kstatus wait can pass before the operator acts;
    // the Argo CD check says Progressing. Here so that a fix shows (both would then agree).
    await apply([
      {
        apiVersion: 'natswarden.io/v1alpha1',
        kind: 'NatsUser',
        metadata: { name: 'unseen', namespace: bed.namespace },
        spec: { accountRef: { name: ACCOUNT }, authType: 'Password' },
      },
    ]);
    const unseen = await kstatus('natsuser', 'unseen');
    expect([unseen.status, verdicts.at(-1)?.argo]).toEqual(['Current', 'Progressing']);

    await bed.startOperator();
    for (const [kind, name] of [...OURS, ['natsuser', 'unseen'] as const])
      await waitForKstatus(kind, name, 'Current');
    expect(disagreements()).toEqual([]);
  });

  test('a roll is InProgress until every server runs the new revision, then Current', async () => {
    const pods = async () =>
      (
        (await getJson(['get', 'pods', '-n', bed.namespace, '-l', `app.kubernetes.io/instance=${CLUSTER}`]))
          .items as { metadata: { uid: string } }[]
      ).map((p) => p.metadata.uid);
    const before = await pods();
    await patch('natscluster', CLUSTER, {
      podTemplate: { annotations: { 'example.com/restarted-at': new Date().toISOString() } },
    });
    const samples: Judged[] = [];
    let sawProgressing = false;
    await waitUntil(
      'the roll to start and finish',
      async () => {
        const judged = await kstatus('natscluster', CLUSTER);
        samples.push(judged);
        if (judged.conditions.Progressing === 'True') sawProgressing = true;
        return sawProgressing && judged.status === 'Current';
      },
      600_000,
      250,
    );
    const after = await pods();
    const counts = samples.reduce<Record<string, number>>(
      (n, s) => ({ ...n, [s.status]: (n[s.status] ?? 0) + 1 }),
      {},
    );
    process.stderr.write(`figure: roll sampled ${samples.length} times: ${JSON.stringify(counts)}\n`);
    expect(after.filter((uid) => before.includes(uid))).toEqual([]); // every pod replaced: it rolled
    const settled = (s: Judged) =>
      s.conditions.Ready === 'True' &&
      s.conditions.Progressing === 'False' &&
      s.observedGeneration === s.generation;
    // Anything not settled is InProgress; nothing is Failed; Current only once settled.
    expect(samples.filter((s) => !settled(s) && s.status !== 'InProgress')).toEqual([]);
    expect(samples.filter((s) => s.status === 'Current' && !settled(s))).toEqual([]);
    expect(samples.some((s) => s.conditions.Progressing === 'True' && s.status === 'InProgress')).toBe(true);
    expect(disagreements()).toEqual([]);
  });

  test('bad input is Failed naming the field (Degraded, Stalled), for every kind; reverted, Current again', async () => {
    await apply([
      {
        apiVersion: 'natswarden.io/v1alpha1',
        kind: 'NatsAccount',
        metadata: { name: 'too-big', namespace: bed.namespace },
        spec: { clusterRef: { name: CLUSTER }, limits: { maxPayload: '65Mi' } },
      },
      {
        apiVersion: 'natswarden.io/v1alpha1',
        kind: 'NatsUser',
        metadata: { name: 'forever', namespace: bed.namespace },
        spec: {
          accountRef: { name: ACCOUNT },
          authType: 'NKey',
          permissions: { allowResponses: { expires: '2562048h' } },
        },
      },
    ]);
    const account = await waitForKstatus('natsaccount', 'too-big', 'Failed');
    const user = await waitForKstatus('natsuser', 'forever', 'Failed');
    expect(account.message).toContain('spec.limits.maxPayload:');
    expect(user.message).toContain('spec.permissions.allowResponses.expires:');
    for (const judged of [account, user])
      expect([judged.conditions.Degraded, judged.conditions.Stalled]).toEqual(['True', 'True']);

    // A server image that does not exist: the roll stops at the first pod, RollBlocked.
    await patch('natscluster', CLUSTER, { image: 'registry.invalid/not-a-nats-server:1.0' });
    const cluster = await waitForKstatus('natscluster', CLUSTER, 'Failed', 420_000);
    expect(cluster.message).toMatch(/^roll stopped at /);
    expect([cluster.conditions.Degraded, cluster.conditions.Stalled]).toEqual(['True', 'True']);
    // The cluster's failure is not its members': their input is fine, so they are not Failed (an
    // account waits on its cluster's Ready, so it may read InProgress meanwhile).
    const members = [];
    for (const [kind, name] of OURS.slice(1)) members.push({ kind, ...(await kstatus(kind, name)) });
    process.stderr.write(`figure: members of the blocked cluster ${JSON.stringify(members)}\n`);
    expect(members.map((m) => [m.kind, m.status !== 'Failed', m.conditions.Stalled])).toEqual([
      ['natsaccount', true, 'False'],
      ['natsuser', true, 'False'],
    ]);

    await k([
      'patch',
      'natscluster',
      CLUSTER,
      '-n',
      bed.namespace,
      '--type=json',
      '-p',
      JSON.stringify([{ op: 'remove', path: '/spec/image' }]),
    ]);
    await k(['delete', 'natsaccount', 'too-big', '-n', bed.namespace]);
    await k(['delete', 'natsuser', 'forever', '-n', bed.namespace]);
    const recovered = await waitForKstatus('natscluster', CLUSTER, 'Current', 600_000);
    expect([recovered.conditions.Degraded, recovered.conditions.Stalled]).toEqual(['False', 'False']);
    expect(disagreements()).toEqual([]);
  });
});
