// The Helm chart's RBAC for one test namespace, and the operator run under it: the chart (namespaced
// mode, the namespace as release name) is rendered, its ServiceAccount, Roles and bindings applied,
// and the operator started with that ServiceAccount's token instead of the harness's admin. Specs
// that do so prove the chart grants what the code does. NATS_WARDEN_DROP_RULE=N drops the Nth rule
// (counting every Role's and ClusterRole's rules in the rendered order) before applying:
// scripts/rbac-minimality.ts runs such specs once per rule to show that none is unused.
import { dump, load, loadAll } from 'js-yaml';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apply, k, type Obj } from '@nats-warden/local-cluster';
import { helmTemplate } from '../../scripts/gen-manifests.ts';
import type { TestBed } from './fixtures.ts';
import { startOperator, type OperatorInstance } from './operator-process.ts';

export const RBAC_KINDS = new Set([
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'ClusterRole',
  'ClusterRoleBinding',
]);
export const DROPPED_RULE = process.env.NATS_WARDEN_DROP_RULE;

/** Removes the Nth rule of all the Roles' and ClusterRoles' rules, in order; prints which. */
function dropRule(rendered: Obj[], n: number): void {
  let i = 0;
  for (const o of rendered.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole'))
    for (const [j, rule] of (o.rules as object[]).entries())
      if (i++ === n) {
        process.stderr.write(
          `\nrbac: dropped rule ${n} of ${o.kind} ${o.metadata.name}: ${JSON.stringify(rule)}\n`,
        );
        o.rules.splice(j, 1);
        return;
      }
  throw new Error(`no rule ${n}: the chart renders ${i}`);
}

export interface ChartInstall {
  /** Every object the chart renders for the namespace (the dropped rule, if any, removed). */
  objects: Obj[];
  serviceAccount: string;
  /** Starts an operator for the bed's namespace that authenticates as the chart's ServiceAccount. */
  startOperator(): Promise<OperatorInstance>;
  /** Deletes the cluster-scoped objects (the namespace's deletion takes the rest) and the token. */
  remove(): Promise<void>;
}

/** Renders the chart for the bed's namespace and applies its RBAC (not its Deployment). */
export async function installChartRbac(bed: TestBed): Promise<ChartInstall> {
  const objects = (
    loadAll(
      helmTemplate(
        ['--namespace', bed.namespace, '--skip-tests', '--set', `watchNamespaces={${bed.namespace}}`],
        bed.namespace,
      ),
    ) as Obj[]
  ).filter(Boolean);
  const serviceAccount = objects.find((o) => o.kind === 'ServiceAccount')!.metadata.name as string;
  if (DROPPED_RULE !== undefined) dropRule(objects, Number(DROPPED_RULE));
  await apply(objects.filter((o) => RBAC_KINDS.has(o.kind)));
  const scratch = mkdtempSync(join(tmpdir(), 'nats-warden-chart-rbac-'));

  /** A kubeconfig for the same API server that authenticates with the ServiceAccount's token. */
  const kubeconfig = async () => {
    const token = (await k(['create', 'token', serviceAccount, '-n', bed.namespace, '--duration=1h'])).trim();
    const admin = load(readFileSync(bed.kubeconfig, 'utf8')) as {
      users: { name: string; user: object }[];
      contexts: { context: { user: string } }[];
    };
    const user = admin.contexts[0]!.context.user;
    admin.users = [{ name: user, user: { token } }];
    const path = join(scratch, 'operator.kubeconfig');
    writeFileSync(path, dump(admin), { mode: 0o600 });
    return path;
  };

  return {
    objects,
    serviceAccount,
    async startOperator() {
      const instance = await startOperator(await kubeconfig(), `operator-${bed.namespace}`, [
        '--namespace',
        bed.namespace,
        '--leader-election-namespace',
        bed.namespace,
      ]);
      bed.operators.push(instance);
      return instance;
    },
    async remove() {
      for (const o of objects.filter((o) => o.kind.startsWith('Cluster')))
        await k(['delete', o.kind, o.metadata.name, '--ignore-not-found']).catch(() => undefined);
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/**
 * The first request the API server refused the operator, from its log or, for one it reports in
 * status rather than logs (an admission plugin's refusal of an apply), the NatsCluster's conditions.
 */
export const firstRefusal = (instance: OperatorInstance, conditions: string): string | undefined =>
  refusals(instance)[0] ?? /[^;(]*is forbidden: [^;]*/.exec(conditions)?.[0];

/** The lines of an operator's log where the API server refused it a request. */
export const refusals = (instance: OperatorInstance): string[] =>
  readFileSync(instance.log, 'utf8')
    .split('\n')
    .filter((line) => /forbidden|HTTP-Code: 403/i.test(line));
