// The safety rules of ARCHITECTURE.md, checked on every example's rendered objects.
import { describe, expect, test } from '@jest/globals';
import { exampleNames, loadExample } from '../../test/fixtures/examples.ts';
import { fixedContext, fixedIdentities } from '../../test/fixtures/render-context.ts';
import { validateResource, type NatsCluster } from '../api/index.ts';
import { CA_DURATION } from './certificates.ts';
import { membersOf, renderCluster, TLS_REVISION_ANNOTATION, type RenderContext } from './index.ts';
import { durationToSeconds } from './units.ts';

type Obj = {
  kind: string;
  metadata: {
    name: string;
    ownerReferences?: { kind: string; controller: boolean }[];
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: any;
  data?: Record<string, string>;
};

function renderAll(name: string) {
  const docs = loadExample(name);
  return docs.clusters.map((cluster) => {
    const members = membersOf(cluster, docs.accounts, docs.users);
    const context = fixedContext(cluster, members.accounts, members.users);
    return { cluster, members, context, objects: renderCluster(cluster, members, context) as Obj[] };
  });
}

function secretValues(context: RenderContext): string[] {
  const s = context.identities;
  const users = Object.values(s.users).flatMap((u) => [
    u.password?.plaintext,
    u.password?.bcryptHash,
    u.nkey?.seed,
    u.creds?.content,
  ]);
  return [s.routePassword, s.jetstreamKey, ...users].filter((v): v is string => typeof v === 'string');
}

describe.each(exampleNames())('example %s', (name) => {
  for (const { cluster, context, objects } of renderAll(name)) {
    const find = (kind: string, objName?: string) =>
      objects.find((o) => o.kind === kind && (!objName || o.metadata.name === objName));
    const sts = find('StatefulSet') as Obj;
    const pod = sts.spec.template.spec;

    test('no secret value appears outside a Secret', () => {
      const outside = JSON.stringify(objects.filter((o) => o.kind !== 'Secret'));
      for (const value of secretValues(context)) expect(outside).not.toContain(value);
    });

    test("every Certificate's Secret carries the label the operator's Secret cache selects on", () => {
      for (const cert of objects.filter((o) => o.kind === 'Certificate')) {
        expect(cert.spec.secretTemplate?.labels?.['app.kubernetes.io/managed-by']).toBe('nats-warden');
      }
    });

    test('every object is owned by its resource and labelled', () => {
      for (const o of objects) {
        expect(o.metadata.ownerReferences?.filter((r) => r.controller)).toHaveLength(1);
        expect(o.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('nats-warden');
      }
    });

    test('the StatefulSet is safe to run: Parallel, non-root, read-only root, no subPath, lame duck', () => {
      expect(sts.spec.podManagementPolicy).toBe('Parallel');
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      const nats = pod.containers[0];
      for (const container of pod.containers) {
        expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
        expect(container.volumeMounts.every((m: { subPath?: string }) => m.subPath === undefined)).toBe(true);
      }
      expect(pod.shareProcessNamespace).toBe(true);
      expect(nats.lifecycle.preStop.exec.command.join(' ')).toContain('--signal ldm=');
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(
        durationToSeconds(cluster.spec.lameDuck.duration),
      );
      // Without a monitoring port the client listener is all a probe can reach.
      if (cluster.spec.monitoring.enabled) expect(nats.readinessProbe.httpGet.path).toMatch(/^\/healthz/);
      else expect(nats.readinessProbe.tcpSocket).toEqual({ port: 'client' });
      expect(pod.topologySpreadConstraints[0].topologyKey).toBe('kubernetes.io/hostname');
    });

    test('route certificates carry server and client auth; the server certificate names every pod', () => {
      const routes = find('Certificate', `${cluster.metadata.name}-routes`) as Obj;
      expect(routes.spec.usages).toEqual(expect.arrayContaining(['server auth', 'client auth']));
      const server = find('Certificate', `${cluster.metadata.name}-server`) as Obj;
      const ns = cluster.metadata.namespace;
      for (let i = 0; i < cluster.spec.replicas; i++) {
        expect(server.spec.dnsNames).toContain(
          `${cluster.metadata.name}-${i}.${cluster.metadata.name}-headless.${ns}.svc.cluster.local`,
        );
      }
      expect(server.spec.dnsNames).toContain(`${cluster.metadata.name}.${ns}.svc`);
    });

    if (!cluster.spec.tls.issuerRef) {
      test('the bootstrapped CA pins its key and far outlives the leaves', () => {
        const ca = find('Certificate', `${cluster.metadata.name}-ca`) as Obj;
        expect(ca.spec.isCA).toBe(true);
        expect(ca.spec.privateKey.rotationPolicy).toBe('Never');
        expect(durationToSeconds(CA_DURATION)).toBeGreaterThan(
          4 * durationToSeconds(cluster.spec.tls.duration),
        );
      });
    }
  }
});

describe('the TLS revision annotation', () => {
  const { cluster, members, context } = renderAll('secure-cluster')[0]!;
  const annotation = (c: NatsCluster, ctx: RenderContext) =>
    ((renderCluster(c, members, ctx) as Obj[]).find((o) => o.kind === 'StatefulSet') as Obj).spec.template
      .metadata.annotations[TLS_REVISION_ANNOTATION];
  const before = annotation(cluster, context);

  test('changes when a certificate is re-issued', () => {
    expect(annotation(cluster, { ...context, certificateRevisions: { server: 2, routes: 1 } })).not.toBe(
      before,
    );
  });
  test('changes when the CA bundle changes', () => {
    expect(annotation(cluster, { ...context, trustBundle: context.trustBundle + 'NEXT-CA\n' })).not.toBe(
      before,
    );
  });
  test('does not change for an unrelated edit (limits)', () => {
    const edited = validateResource({ ...cluster, spec: { ...cluster.spec, limits: { maxConnections: 5 } } });
    if (!edited.ok) throw new Error(JSON.stringify(edited.errors));
    expect(annotation(edited.value as NatsCluster, context)).toBe(before);
  });
});

describe('the Reload rotation strategy', () => {
  const { cluster, members, context } = renderAll('secure-cluster')[0]!;
  const reloadCluster = {
    ...cluster,
    spec: { ...cluster.spec, tls: { ...cluster.spec.tls, rotation: { strategy: 'Reload' as const } } },
  };
  const sts = (c: NatsCluster, ctx: RenderContext) =>
    (renderCluster(c, members, ctx) as Obj[]).find((o) => o.kind === 'StatefulSet') as Obj;

  test('a renewed certificate leaves the pod template alone: nothing restarts', () => {
    const before = sts(reloadCluster, context);
    const after = sts(reloadCluster, { ...context, certificateRevisions: { server: 7, routes: 7 } });
    expect(after.spec.template).toEqual(before.spec.template);
    expect(before.spec.template.metadata.annotations[TLS_REVISION_ANNOTATION]).toBeUndefined();
  });

  test('the reloader watches the certificate directories', () => {
    const reloader = sts(reloadCluster, context).spec.template.spec.containers.find(
      (c: { name: string }) => c.name === 'reloader',
    );
    expect(reloader.args.join(' ')).toContain('--watch /etc/nats/certs/server');
    const rolling = sts(cluster, context).spec.template.spec.containers.find(
      (c: { name: string }) => c.name === 'reloader',
    );
    expect(rolling.args.join(' ')).not.toContain('/etc/nats/certs/server');
    expect(rolling.args.join(' ')).toContain('--watch /etc/nats/secrets/auth');
  });

  test('the template hash on the StatefulSet changes with the template and nothing else', () => {
    const a = sts(cluster, context).metadata as { annotations: Record<string, string> };
    const b = sts(cluster, { ...context, partition: 2 }).metadata as { annotations: Record<string, string> };
    const c = sts(cluster, { ...context, certificateRevisions: { server: 9, routes: 1 } }).metadata as {
      annotations: Record<string, string>;
    };
    expect(b.annotations['natswarden.io/template-hash']).toBe(a.annotations['natswarden.io/template-hash']);
    expect(c.annotations['natswarden.io/template-hash']).not.toBe(
      a.annotations['natswarden.io/template-hash'],
    );
  });
});

describe('cross-resource problems name the resource and field', () => {
  const docs = loadExample('config-accounts');
  const cluster = docs.clusters[0]!;
  const members = membersOf(cluster, docs.accounts, docs.users);
  // Membership is settled from the resources as given; renderCluster refuses anything left out.
  const render = (m: Pick<typeof members, 'accounts' | 'users'>) => () => {
    const settled = membersOf(cluster, m.accounts, m.users);
    return renderCluster(cluster, settled, fixedContext(cluster, settled.accounts, settled.users));
  };

  test('a Creds user in a Config-mode cluster', () => {
    const users = members.users.map((u) =>
      u.metadata.name === 'order-service' ? { ...u, spec: { ...u.spec, authType: 'Creds' as const } } : u,
    );
    expect(render({ ...members, users })).toThrow(
      /NatsUser order-service spec.authType: Creds needs auth.mode JWT/,
    );
  });
  test('an import from an account that is not in the cluster', () => {
    const accounts = members.accounts.filter((a) => a.metadata.name !== 'orders');
    expect(render({ accounts, users: [] })).toThrow(
      /NatsAccount billing spec.imports\[0\]: no account orders/,
    );
  });
  test('a missing generated secret is reported, never invented', () => {
    const context = fixedContext(cluster, members.accounts, members.users);
    const identities = { ...fixedIdentities(cluster, members.accounts, members.users), users: {} };
    expect(() => renderCluster(cluster, members, { ...context, identities })).toThrow(
      /has not been generated yet/,
    );
  });
});
