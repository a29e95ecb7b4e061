// The Helm chart's RBAC proven by the operator itself: the chart (namespaced mode) is rendered for a
// test namespace and its ServiceAccount, Roles and bindings are applied; the operator runs as a host
// process with that ServiceAccount's token (not the harness's admin) and must take
// examples/secure-cluster.yaml to Ready, Events included, then examples/jwt-operator.yaml (JWT mode:
// the revocation finalizers on accounts and users' credentials Secrets), with the OwnerReferencesPermissionEnforcement
// admission plugin on (local-cluster/harness/components.ts). The API server also refuses it what the
// chart does not grant (other namespaces' Secrets; deletes, but of its namespace's Secrets). The
// chart's other objects pass a server-side dry run (the operator's pods are not started here), and
// the documented CRD upgrade command (server-side apply of the chart's crds/) succeeds on a cluster
// that has them.
// NATS_WARDEN_DROP_RULE=N drops one rule (e2e/operator/chart-rbac.ts): scripts/rbac-minimality.ts
// runs the Ready tests once per rule to show that none is unused.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { join } from 'node:path';
import { apply, k, waitUntil } from '@nats-warden/local-cluster';
import { CHART_DIR } from '../scripts/gen-manifests.ts';
import {
  DROPPED_RULE,
  installChartRbac,
  RBAC_KINDS,
  firstRefusal,
  refusals,
  type ChartInstall,
} from './operator/chart-rbac.ts';
import { conditionOf, natsCluster, waitForCondition } from './operator/cluster-api.ts';
import { exampleIn, testBed, type TestBed } from './operator/fixtures.ts';

jest.setTimeout(600_000);
let bed: TestBed;
let chart: ChartInstall;
// Without a rule the operator should fail (a refused request ends the wait at once), not be slow:
// Ready takes ~20 s with every rule.
const READY_TIMEOUT_MS = DROPPED_RULE === undefined ? 480_000 : 120_000;

/** The API server's own answer (a SubjectAccessReview) to: may the chart's ServiceAccount do this? */
async function allowed(verb: string, resource: string, group = '', namespace?: string, name?: string) {
  const review = {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SubjectAccessReview',
    spec: {
      user: `system:serviceaccount:${bed.namespace}:${chart.serviceAccount}`,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${bed.namespace}`, 'system:authenticated'],
      resourceAttributes: { verb, resource, group, namespace, name },
    },
  };
  const out = JSON.parse(await k(['create', '-o', 'json', '-f', '-'], JSON.stringify(review))) as {
    status: { allowed: boolean };
  };
  return out.status.allowed;
}

beforeAll(async () => {
  bed = await testBed('install');
  chart = await installChartRbac(bed);
});

afterAll(async () => {
  await chart?.remove();
  await bed?.teardown();
});

describe('the chart in namespaced mode', () => {
  test("the operator, under the chart's ServiceAccount and RBAC alone, takes secure-cluster to Ready", async () => {
    const operator = await chart.startOperator();
    const docs = exampleIn('secure-cluster.yaml', bed.namespace);
    await apply(docs);
    const cluster = docs.find((d) => d.kind === 'NatsCluster')!.metadata.name;
    // A refused request fails the test below anyway: stop waiting at the first.
    await waitForCondition(
      bed.api,
      bed.namespace,
      cluster,
      'Ready',
      'True',
      READY_TIMEOUT_MS,
      undefined,
      (conditions) => firstRefusal(operator, conditions),
    );
    expect(conditionOf(await natsCluster(bed.api, bed.namespace, cluster), 'Degraded')?.status).toBe('False');

    // Status on every kind it reconciles, and Events (best effort in the code, so checked here).
    for (const kind of ['natsaccount', 'natsuser']) {
      const list = JSON.parse(await k(['get', kind, '-n', bed.namespace, '-o', 'json'])) as {
        items: { status?: { conditions?: { type: string; status: string }[] } }[];
      };
      expect(list.items.length).toBeGreaterThan(0);
      for (const item of list.items) expect(item.status?.conditions?.length).toBeGreaterThan(0);
    }
    const events = JSON.parse(await k(['get', 'events', '-n', bed.namespace, '-o', 'json'])) as {
      items: { source?: { component?: string } }[];
    };
    expect(events.items.some((e) => e.source?.component === 'nats-warden')).toBe(true);
    // No request refused anywhere, best-effort paths (Events, informers of optional kinds) included.
    expect(refusals(operator)).toEqual([]);
    const lease = JSON.parse(
      await k(['get', 'lease', 'nats-warden-leader', '-n', bed.namespace, '-o', 'json']),
    ) as { spec: { holderIdentity: string } };
    expect(lease.spec.holderIdentity).toBe(`operator-${bed.namespace}`);
  });

  test("the same operator takes jwt-operator to Ready: JWT mode, a revocation finalizer on every account and every user's credentials Secret", async () => {
    const operator = bed.operators[0]!;
    const docs = exampleIn('jwt-operator.yaml', bed.namespace);
    await apply(docs);
    await waitForCondition(
      bed.api,
      bed.namespace,
      'jwt',
      'Ready',
      'True',
      READY_TIMEOUT_MS,
      undefined,
      (conditions) => firstRefusal(operator, conditions),
    );
    // The account's finalizer (a merge patch of the account) is what `patch` on natsaccounts is
    // granted for; a user's rides on its credentials Secret's apply (ADR 16). secure-cluster's
    // (Config mode: nothing to revoke through) have none.
    const members = docs
      .filter((d) => d.kind === 'NatsAccount' || d.kind === 'NatsUser')
      .map(({ kind, metadata }) =>
        kind === 'NatsAccount'
          ? { kind, name: metadata.name }
          : { kind: 'Secret', name: `${metadata.name}-nats-credentials` },
      );
    expect(members.length).toBe(4);
    const withoutFinalizer = async () => {
      const lacking: string[] = [];
      for (const { kind, name } of members) {
        const o = JSON.parse(
          (await k(['get', kind, name, '-n', bed.namespace, '-o', 'json', '--ignore-not-found'])) || '{}',
        ) as { metadata?: { finalizers?: string[] } };
        if (!o.metadata?.finalizers?.includes('natswarden.io/revoke')) lacking.push(`${kind} ${name}`);
      }
      return lacking;
    };
    await waitUntil(
      "a revocation finalizer on every NatsAccount and every NatsUser's credentials Secret of jwt-operator, or a refused request",
      async () => refusals(operator).length > 0 || (await withoutFinalizer()).length === 0,
      READY_TIMEOUT_MS,
    );
    expect(refusals(operator)).toEqual([]);
    expect(await withoutFinalizer()).toEqual([]);

    // A NatsUser that an older operator gave the finalizer (before ADR 16) is still revoked through
    // it and released when deleted: what `patch` on natsusers is still granted for.
    await apply([
      {
        apiVersion: 'natswarden.io/v1alpha1',
        kind: 'NatsUser',
        metadata: { name: 'legacy', namespace: bed.namespace, finalizers: ['natswarden.io/revoke'] },
        spec: { accountRef: { name: 'telemetry' }, authType: 'Creds' },
      },
    ]);
    const present = async (kind: string, name: string) =>
      (await k(['get', kind, name, '-n', bed.namespace, '--ignore-not-found'])) !== '';
    await waitUntil(
      'the legacy NatsUser has its credentials',
      () => present('secret', 'legacy-nats-credentials'),
      READY_TIMEOUT_MS,
    );
    await k(['delete', 'natsuser', 'legacy', '-n', bed.namespace, '--wait=false']);
    await waitUntil(
      'the legacy NatsUser released and gone, or a refused request',
      async () => refusals(operator).length > 0 || !(await present('natsuser', 'legacy')),
      READY_TIMEOUT_MS,
    );
    expect(refusals(operator)).toEqual([]);
  });

  test.each([
    ['get', 'secrets', '', 'default', undefined, false],
    ['list', 'secrets', '', undefined, undefined, false],
    ['delete', 'secrets', '', 'default', undefined, false],
    ['delete', 'configmaps', '', 'NS', undefined, false],
    ['delete', 'statefulsets', 'apps', 'NS', undefined, false],
    ['update', 'leases', 'coordination.k8s.io', 'NS', 'someone-elses-lease', false],
    ['list', 'secrets', '', 'NS', undefined, true],
    // Adopting cert-manager's Secrets under OwnerReferencesPermissionEnforcement (the chart says why).
    ['delete', 'secrets', '', 'NS', undefined, true],
    ['patch', 'statefulsets', 'apps', 'NS', undefined, true],
    ['list', 'clusterissuers', 'cert-manager.io', undefined, undefined, true],
  ] as const)(
    '%s %s (group %j) in %j named %j: allowed %s',
    async (verb, resource, group, ns, name, expected) => {
      const namespace = ns === 'NS' ? bed.namespace : ns;
      expect(await allowed(verb, resource, group, namespace, name)).toBe(expected);
    },
  );

  test("the chart's other objects pass the API server's validation (server-side dry run)", async () => {
    const rest = chart.objects.filter((o) => !RBAC_KINDS.has(o.kind));
    expect(rest.map((o) => o.kind).sort()).toEqual(['Deployment', 'PodDisruptionBudget', 'Service']);
    const out = await k(
      ['apply', '--server-side', '--dry-run=server', '--field-manager=helm-e2e', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: rest }),
    );
    expect(out).toContain('serverside-applied (server dry run)');
  });
});

test("the CRD upgrade users run (server-side apply of the chart's crds/) succeeds over installed CRDs", async () => {
  const out = await k(['apply', '--server-side', '--force-conflicts', '-f', join(CHART_DIR, 'crds')]);
  expect(out.match(/serverside-applied/g)?.length).toBe(3);
  await k(['wait', '--for=condition=Established', 'crd', '-l', 'app.kubernetes.io/part-of=nats-warden']);
});
