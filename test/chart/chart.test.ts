// The Helm chart, through the real helm binary (a pinned tool): lint and template pass for the
// defaults and each charts/nats-warden/ci/ values file; a wrong value fails with the schema's message;
// the rendered RBAC has no wildcard, grants every kind the operator watches and writes (derived from
// the controllers' watches and the renderer's output), and keeps Secrets out of cluster-wide rules in
// namespaced mode; the pods run restricted.
import { describe, expect, test } from '@jest/globals';
import { loadAll } from 'js-yaml';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, toolPath } from '@nats-warden/local-cluster';
import { membersOf, renderCluster } from '../../src/render/index.ts';
import { exampleNames, loadExample } from '../fixtures/examples.ts';
import { fixedContext } from '../fixtures/render-context.ts';
import { CHART_DIR, helmTemplate } from '../../scripts/gen-manifests.ts';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}
interface Obj {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Rule[];
  spec?: Record<string, unknown>;
}

const ciFiles = readdirSync(join(CHART_DIR, 'ci')).filter((f) => f.endsWith('.yaml'));
const valueSets: [string, string[]][] = [
  ['the defaults', []],
  ...ciFiles.map((f): [string, string[]] => [`ci/${f}`, ['-f', join(CHART_DIR, 'ci', f)]]),
];

const render = (args: string[]) =>
  (loadAll(helmTemplate(['--namespace', 'ops', ...args])) as Obj[]).filter(Boolean);

/** helm's exit status and stderr for a template that should fail. */
function templateError(args: string[]): string {
  try {
    helmTemplate(args);
  } catch (error) {
    return String((error as { stderr: string }).stderr);
  }
  throw new Error(`helm template ${args.join(' ')} succeeded`);
}

const rulesOf = (objects: Obj[], kind: 'Role' | 'ClusterRole') =>
  objects.filter((o) => o.kind === kind).flatMap((o) => o.rules ?? []);

/** Verbs granted on group/resource by any of the rules (no resourceNames: the whole kind). */
const granted = (rules: Rule[], group: string, resource: string) =>
  new Set(
    rules
      .filter((r) => !r.resourceNames && r.apiGroups.includes(group) && r.resources.includes(resource))
      .flatMap((r) => r.verbs),
  );

describe.each(valueSets)('helm with %s', (_name, args) => {
  test('lint passes', () => {
    const out = execFileSync(toolPath('helm'), ['lint', CHART_DIR, '--strict', ...args], {
      encoding: 'utf8',
    });
    expect(out).toContain('0 chart(s) failed');
  });

  test('template passes, and every rule names its verbs and resources (no wildcard)', () => {
    const objects = render(args);
    const rules = [...rulesOf(objects, 'Role'), ...rulesOf(objects, 'ClusterRole')];
    for (const rule of rules)
      for (const word of [...rule.apiGroups, ...rule.resources, ...rule.verbs])
        expect(word).not.toContain('*');
    expect(rules.length).toBeGreaterThan(0);
  });

  test('the operator runs restricted: non-root, read-only root, no capabilities, RuntimeDefault seccomp', () => {
    const deployment = render(args).find((o) => o.kind === 'Deployment') as unknown as {
      spec: {
        template: { spec: { securityContext: Record<string, unknown>; containers: Record<string, any>[] } };
      };
    };
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    for (const container of pod.containers) {
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
      });
      expect(container.resources.requests).toBeDefined();
    }
  });
});

describe('the defaults', () => {
  const objects = render([]);
  const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as {
    spec: { replicas: number; template: { spec: { containers: { args: string[] }[] } } };
  };

  test('run two replicas with leader election in the release namespace', () => {
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.containers[0]!.args).toEqual(
      expect.arrayContaining(['operator', '--leader-election-namespace=ops', '--operator-namespace=ops']),
    );
    const lease = rulesOf(objects, 'Role').filter((r) => r.resources.includes('leases'));
    expect(lease.flatMap((r) => r.verbs).sort()).toEqual(['create', 'get', 'update']);
  });

  test('grant list and watch on every kind the controllers watch', () => {
    const rules = rulesOf(objects, 'ClusterRole');
    const controllers = ['natscluster', 'natsaccount'].map((c) =>
      readFileSync(join(repoRoot, 'src', 'controllers', c, 'controller.ts'), 'utf8'),
    );
    const plurals = new Set(
      controllers.flatMap((text) => [...text.matchAll(/plural: '(\w+)'/g)].map((m) => m[1]!)),
    );
    expect(plurals.size).toBeGreaterThan(8);
    for (const plural of plurals) {
      const verbs = new Set(rules.filter((r) => r.resources.includes(plural)).flatMap((r) => r.verbs));
      expect([plural, verbs.has('list') && verbs.has('watch')]).toEqual([plural, true]);
    }
  });

  test('grant create and patch (server-side apply) on every kind the renderer produces, and delete on Secrets alone', () => {
    const rules = rulesOf(objects, 'ClusterRole');
    const kinds = new Map<string, string>();
    for (const name of exampleNames()) {
      const docs = loadExample(name);
      for (const cluster of docs.clusters) {
        const members = membersOf(cluster, docs.accounts, docs.users);
        for (const o of renderCluster(
          cluster,
          members,
          fixedContext(cluster, members.accounts, members.users),
        ) as { kind: string; apiVersion: string }[])
          kinds.set(o.kind, o.apiVersion.includes('/') ? o.apiVersion.split('/')[0]! : '');
      }
    }
    expect(kinds.size).toBeGreaterThan(6);
    const plural = (kind: string) => kind.toLowerCase().replace(/y$/, 'ie') + 's';
    for (const [kind, group] of kinds) {
      const verbs = granted(rules, group, plural(kind));
      expect([kind, verbs.has('create') && verbs.has('patch')]).toEqual([kind, true]);
    }
    // A rule of its own: what the OwnerReferencesPermissionEnforcement admission plugin asks of who
    // adopts cert-manager's Secrets (natscluster/adopt.ts); nothing else may be deleted.
    const deleting = rules.filter((r) => r.verbs.includes('delete') || r.verbs.includes('deletecollection'));
    expect(deleting).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['delete'] }]);
  });
});

describe('the image', () => {
  const argsWith = (args: string[]) =>
    (
      render(args).find((o) => o.kind === 'Deployment') as unknown as {
        spec: { template: { spec: { containers: { image: string; args: string[] }[] } } };
      }
    ).spec.template.spec.containers[0]!;

  test("the servers' reloader sidecar runs the operator's own image, mirror or digest included", () => {
    expect(argsWith([]).args).toContain('--reloader-image=ghcr.io/nats-warden/nats-warden:0.1.0');
    for (const args of [
      ['--set', 'image.repository=mirror.example/nw', '--set', 'image.tag=1.2.3'],
      ['--set', 'image.digest=sha256:' + 'a'.repeat(64)],
    ]) {
      const container = argsWith(args);
      expect(container.args).toContain(`--reloader-image=${container.image}`);
    }
  });
});

describe('the helm test pod', () => {
  const testPod = (args: string[]) =>
    render(args).find((o) => o.kind === 'Pod') as unknown as {
      spec: {
        containers: { image: string; command: string[] }[];
        nodeSelector?: object;
        tolerations?: object[];
      };
    };

  test("runs the operator's image (no second image to mirror) and is placed like the operator", () => {
    const placement = [
      '--set',
      'nodeSelector.pool=ops',
      '--set',
      'tolerations[0].key=dedicated',
      '--set',
      'tolerations[0].operator=Exists',
      '--set',
      'image.repository=mirror.example/nw',
    ];
    const pod = testPod(placement);
    const deployment = render(placement).find((o) => o.kind === 'Deployment') as unknown as {
      spec: {
        template: { spec: { containers: { image: string }[]; nodeSelector: object; tolerations: object[] } };
      };
    };
    expect(pod.spec.containers[0]!.image).toBe(deployment.spec.template.spec.containers[0]!.image);
    expect(pod.spec.containers[0]!.command.slice(0, 2)).toEqual(['node', '-e']);
    expect(pod.spec.nodeSelector).toEqual(deployment.spec.template.spec.nodeSelector);
    expect(pod.spec.tolerations).toEqual(deployment.spec.template.spec.tolerations);
    expect(testPod([]).spec.nodeSelector).toBeUndefined();
  });
});

describe('with watchNamespaces', () => {
  const objects = render(['--set', 'watchNamespaces={nats-demo,team-a}']);

  test('the namespaced rules are Roles in exactly those namespaces', () => {
    const roles = objects.filter(
      (o) => o.kind === 'Role' && o.rules?.some((r) => r.resources.includes('secrets')),
    );
    expect(roles.map((r) => r.metadata.namespace).sort()).toEqual(['nats-demo', 'team-a']);
    const bindings = objects.filter((o) => o.kind === 'RoleBinding').map((o) => o.metadata.namespace);
    expect(bindings).toEqual(expect.arrayContaining(['nats-demo', 'team-a']));
  });

  test('no cluster-wide rule touches Secrets or anything but ClusterIssuers', () => {
    const cluster = rulesOf(objects, 'ClusterRole');
    expect(cluster.flatMap((r) => r.resources)).toEqual(['clusterissuers']);
    expect(cluster.flatMap((r) => r.verbs).sort()).toEqual(['list', 'watch']);
  });

  test('the operator is told to watch only those namespaces', () => {
    const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as {
      spec: { template: { spec: { containers: { args: string[] }[] } } };
    };
    const args = deployment.spec.template.spec.containers[0]!.args;
    expect(args.filter((a) => a.startsWith('--namespace='))).toEqual([
      '--namespace=nats-demo',
      '--namespace=team-a',
    ]);
  });
});

describe('a wrong value', () => {
  test.each([
    [['--set', 'replicaCount=two'], "at '/replicaCount': got string, want integer"],
    [['--set', 'logLevel=verbose'], "at '/logLevel': value must be one of"],
    [['--set', 'image.tpyo=x'], "at '/image': additional properties 'tpyo' not allowed"],
    [['--set', 'watchNamespaces={Bad_Name}'], "at '/watchNamespaces/0'"],
    [['--set', 'metrics.port=70000'], "at '/metrics/port'"],
  ])('%j fails helm template with the schema message naming the field', (args, message) => {
    const stderr = templateError(args);
    expect(stderr).toContain("values don't meet the specifications of the schema");
    expect(stderr).toContain(message);
  });

  test('a ServiceMonitor without its Service fails with a message saying so', () => {
    expect(
      templateError([
        '--set',
        'metrics.serviceMonitor.enabled=true',
        '--set',
        'metrics.service.enabled=false',
      ]),
    ).toContain('metrics.serviceMonitor.enabled needs metrics.service.enabled');
  });
});
