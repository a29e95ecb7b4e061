// The GitOps examples (examples/gitops/) are what Argo CD and Flux accept: each document is built
// into the projects' own models (@kubernetes-models/argo-cd and flux-cd, generated from their
// published CRD schemas) and validated, and a broken field is proven to fail that validation. The
// chart values they carry pass the chart's values.schema.json through the real helm (as
// test/chart does), and the cluster they deploy passes our own validation. These models import no
// @kubernetes/client-node, so this runs in the unit project.
import { describe, expect, test } from '@jest/globals';
import { loadAll } from 'js-yaml';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Application } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { HelmRelease } from '@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2';
import { Kustomization } from '@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1';
import { GitRepository, OCIRepository } from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1';
import { readDocuments } from '../../src/cli/documents.ts';
import { validateResource } from '../../src/api/schema-check.ts';
import { helmTemplate } from '../../scripts/gen-manifests.ts';

const GITOPS_DIR = join(import.meta.dirname, '..', '..', 'examples', 'gitops');

interface Doc {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: Record<string, any>;
}

/** Each model by apiVersion and kind: the only kinds the examples may use. */
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'argoproj.io/v1alpha1/Application': Application,
  'helm.toolkit.fluxcd.io/v2/HelmRelease': HelmRelease,
  'kustomize.toolkit.fluxcd.io/v1/Kustomization': Kustomization,
  'source.toolkit.fluxcd.io/v1/GitRepository': GitRepository,
  'source.toolkit.fluxcd.io/v1/OCIRepository': OCIRepository,
};

const filesIn = (dir: string) =>
  readdirSync(join(GITOPS_DIR, dir))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(dir, f));
const load = (file: string) =>
  (loadAll(readFileSync(join(GITOPS_DIR, file), 'utf8')) as Doc[]).filter(Boolean);
const allDocs = ['argo-cd', 'flux']
  .flatMap(filesIn)
  .flatMap((file) =>
    load(file).map((doc): [string, Doc] => [`${file} ${doc.kind}/${doc.metadata.name}`, doc]),
  );
// argocd-cm (the health checks) is a core ConfigMap, checked below and run by e2e/kstatus.e2e.ts.
const toolDocs = allDocs.filter(([, doc]) => doc.kind !== 'ConfigMap');
const modelOf = (doc: Doc) => {
  const model = MODELS[`${doc.apiVersion}/${doc.kind}`];
  if (!model) throw new Error(`no model for ${doc.apiVersion} ${doc.kind}`);
  return model;
};
const validate = (doc: Doc) => new (modelOf(doc))(doc).validate();
const copy = (doc: Doc): Doc => structuredClone(doc);
const find = (kind: string, name: string, path?: string) =>
  toolDocs.find(
    ([at, d]) => d.kind === kind && d.metadata.name === name && (!path || at.startsWith(path)),
  )![1];

describe('the GitOps examples, against Argo CD and Flux schemas', () => {
  test('there is an Argo CD Application for the chart and one for a cluster, and Flux sources, releases and a Kustomization', () => {
    expect(toolDocs.map(([, d]) => `${d.kind}/${d.metadata.name}`).sort()).toEqual([
      'Application/nats-cluster',
      'Application/nats-warden',
      'GitRepository/nats-warden',
      'HelmRelease/nats-warden',
      'HelmRelease/nats-warden',
      'Kustomization/nats-cluster',
      'OCIRepository/nats-warden-chart',
    ]);
  });

  test.each(toolDocs)('%s is valid', (_at, doc) => {
    expect(() => validate(doc)).not.toThrow();
  });

  // Each broken field must fail, or the validation above proves nothing.
  const broken: [string, () => Doc, RegExp][] = [
    [
      'an Application without a destination',
      () => {
        const doc = copy(find('Application', 'nats-warden'));
        delete doc.spec.destination;
        return doc;
      },
      /spec must have required property destination/,
    ],
    [
      'an Application whose automated sync prune is a string',
      () => {
        const doc = copy(find('Application', 'nats-cluster'));
        doc.spec.syncPolicy.automated.prune = 'yes';
        return doc;
      },
      /spec\/syncPolicy\/automated\/prune must be boolean/,
    ],
    [
      'a HelmRelease with an unknown CRD policy',
      () => {
        const doc = copy(find('HelmRelease', 'nats-warden', 'flux/helmrelease.yaml'));
        doc.spec.upgrade.crds = 'Upgrade';
        return doc;
      },
      /spec\/upgrade\/crds must be equal to one of the allowed values/,
    ],
    [
      'a HelmRelease whose chartRef names a kind Flux does not know',
      () => {
        const doc = copy(find('HelmRelease', 'nats-warden', 'flux/helmrelease-oci.yaml'));
        doc.spec.chartRef.kind = 'HelmRepository';
        return doc;
      },
      /spec\/chartRef\/kind must be equal to one of the allowed values/,
    ],
    [
      'an OCIRepository whose URL is not oci://',
      () => {
        const doc = copy(find('OCIRepository', 'nats-warden-chart'));
        doc.spec.url = 'https://ghcr.io/nats-warden/charts/nats-warden';
        return doc;
      },
      /spec\/url must match pattern/,
    ],
    [
      'a Kustomization without a sourceRef',
      () => {
        const doc = copy(find('Kustomization', 'nats-cluster'));
        delete doc.spec.sourceRef;
        return doc;
      },
      /spec must have required property sourceRef/,
    ],
  ];
  test.each(broken)('%s fails validation', (_name, make, message) => {
    expect(() => validate(make())).toThrow(message);
  });
});

describe('the Argo CD health checks (argo-cd/health-checks.yaml)', () => {
  test('argocd-cm in argocd carries one script for each of our kinds, the same for all', () => {
    const configMaps = allDocs.filter(([, doc]) => doc.kind === 'ConfigMap').map(([, doc]) => doc as any);
    expect(configMaps.map((c) => `${c.metadata.namespace}/${c.metadata.name}`)).toEqual(['argocd/argocd-cm']);
    const data = configMaps[0].data as Record<string, string>;
    expect(Object.keys(data).sort()).toEqual(
      ['NatsAccount', 'NatsCluster', 'NatsUser'].map(
        (kind) => `resource.customizations.health.natswarden.io_${kind}`,
      ),
    );
    expect(new Set(Object.values(data)).size).toBe(1);
    expect(Object.values(data)[0]).toMatch(/^hs = \{\}\n[\s\S]*\nreturn hs\n$/);
  });
});

describe('the chart values they carry, against values.schema.json (real helm)', () => {
  const valueSets: [string, unknown][] = [
    ['argo-cd/nats-warden.yaml', find('Application', 'nats-warden').spec.source.helm.valuesObject],
    ['flux/helmrelease.yaml', find('HelmRelease', 'nats-warden', 'flux/helmrelease.yaml').spec.values],
    [
      'flux/helmrelease-oci.yaml',
      find('HelmRelease', 'nats-warden', 'flux/helmrelease-oci.yaml').spec.values,
    ],
  ];
  const templateWith = (values: unknown) => {
    const dir = mkdtempSync(join(tmpdir(), 'gitops-values-'));
    try {
      writeFileSync(join(dir, 'values.yaml'), JSON.stringify(values));
      return helmTemplate(['--namespace', 'nats-warden', '-f', join(dir, 'values.yaml')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  test.each(valueSets)('%s: helm template accepts them', (_file, values) => {
    expect(values).toBeDefined();
    expect(templateWith(values)).toContain('kind: Deployment');
  });

  test('a wrong value in them fails helm template, naming it', () => {
    const values = { ...(valueSets[1]![1] as object), logLevel: 'loud' };
    expect(() => templateWith(values)).toThrow(/logLevel/);
  });
});

describe('the cluster they deploy', () => {
  test('examples/gitops/cluster passes our own validation', () => {
    const files = filesIn('cluster').filter((f) => !f.endsWith('namespace.yaml'));
    const documents = readDocuments(
      files.map((f) => join(GITOPS_DIR, f)),
      validateResource,
    );
    expect(documents).toBeDefined();
    const kinds = files.flatMap(load).map((d) => d.kind);
    expect(kinds.sort()).toEqual(['NatsAccount', 'NatsCluster', 'NatsUser']);
  });
});
