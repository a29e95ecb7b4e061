// The Helm chart's RBAC for one test namespace, and the operator run under it: the chart (namespaced
// mode, the namespace as release name) is rendered, its ServiceAccount, Roles and bindings applied,
// and the operator started with that ServiceAccount's token instead of the harness's admin. Specs
// that do so prove the chart grants what the code does. NATS_WARDEN_DROP_RULE=N drops the Nth rule
// (counting every Role's and ClusterRole's rules in the rendered order), N:RESOURCE:VERB one grant of
// it, before applying: scripts/rbac-minimality.ts runs such specs once per rule (or grant) to show
// that none is unused.
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

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/**
 * The rule without one of its grants: the verb on the resource (the rule split in two when it
 * names other resources), or the whole rule when neither is given.
 */
export function withoutGrant(rule: Rule, resource?: string, verb?: string): Rule[] {
  if (resource === undefined || verb === undefined) return [];
  if (!rule.resources.includes(resource) || !rule.verbs.includes(verb))
    throw new Error(`the rule ${JSON.stringify(rule)} grants no ${verb} on ${resource}`);
  const others = { ...rule, resources: rule.resources.filter((r) => r !== resource) };
  const rest = { ...rule, resources: [resource], verbs: rule.verbs.filter((v) => v !== verb) };
  return [others, rest].filter((r) => r.resources.length > 0 && r.verbs.length > 0);
}

/**
 * NATS_WARDEN_DROP_RULE=N removes the Nth rule of all the Roles' and ClusterRoles' rules, in order;
 * N:RESOURCE:VERB removes only that verb on that resource from it. Prints what was dropped.
 */
function dropRule(rendered: Obj[], spec: string): void {
  const [n, resource, verb] = spec.split(':');
  let i = 0;
  for (const o of rendered.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole'))
    for (const [j, rule] of (o.rules as Rule[]).entries())
      if (i++ === Number(n)) {
        const what = resource ? `${verb} on ${resource} from rule ${n}` : `rule ${n}`;
        process.stderr.write(
          `\nrbac: dropped ${what} of ${o.kind} ${o.metadata.name}: ${JSON.stringify(rule)}\n`,
        );
        o.rules.splice(j, 1, ...withoutGrant(rule, resource, verb));
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
  if (DROPPED_RULE !== undefined) dropRule(objects, DROPPED_RULE);
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
