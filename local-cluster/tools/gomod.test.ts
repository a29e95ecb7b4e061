import { describe, expect, it } from '@jest/globals';
import { load } from 'js-yaml';
import { expandVersion, localReplacedRequirements, parseGoMod, plainCrd } from './gomod.ts';

// Shaped like k8s.io/kubernetes's go.mod: staging modules required at v0.0.0 and replaced onto
// directories inside the module, next to ordinary requirements.
const kubeGoMod = `// This is a generated file. Do not edit directly.
module k8s.io/kubernetes

go 1.26.0

godebug default=go1.26

require (
	github.com/spf13/cobra v1.10.0
	k8s.io/api v0.0.0
	k8s.io/client-go v0.0.0 // indirect
	k8s.io/component-base v0.0.0
)

require k8s.io/kubectl v0.0.0

replace (
	k8s.io/api => ./staging/src/k8s.io/api
	k8s.io/client-go => ./staging/src/k8s.io/client-go
	k8s.io/component-base => ./staging/src/k8s.io/component-base
	k8s.io/sample-controller => ./staging/src/k8s.io/sample-controller
)

replace k8s.io/kubectl => ./staging/src/k8s.io/kubectl
replace github.com/spf13/cobra v1.9.0 => github.com/spf13/cobra v1.10.0
`;

describe('parseGoMod', () => {
  it('reads require and replace directives in block and single-line form, without comments', () => {
    const mod = parseGoMod(kubeGoMod);
    expect(mod.require.get('k8s.io/client-go')).toBe('v0.0.0');
    expect(mod.require.get('k8s.io/kubectl')).toBe('v0.0.0');
    expect(mod.require.get('github.com/spf13/cobra')).toBe('v1.10.0');
    expect(mod.replace.get('k8s.io/kubectl')).toBe('./staging/src/k8s.io/kubectl');
    expect(mod.replace.get('github.com/spf13/cobra')).toBe('github.com/spf13/cobra v1.10.0');
    expect(mod.require.has('godebug')).toBe(false);
  });
});

describe('localReplacedRequirements', () => {
  it('lists required modules replaced onto local directories, not unrequired or versioned replaces', () => {
    expect(localReplacedRequirements(kubeGoMod)).toEqual([
      'k8s.io/api',
      'k8s.io/client-go',
      'k8s.io/component-base',
      'k8s.io/kubectl',
    ]);
  });

  it('handles ../ targets (etcd style) and a go.mod without replaces', () => {
    const etcd =
      'module go.etcd.io/etcd/server/v3\n\nrequire go.etcd.io/etcd/api/v3 v3.6.16\n\nreplace go.etcd.io/etcd/api/v3 => ../api\n';
    expect(localReplacedRequirements(etcd)).toEqual(['go.etcd.io/etcd/api/v3']);
    expect(localReplacedRequirements('module a\n\nrequire b v1.0.0\n')).toEqual([]);
  });
});

describe('expandVersion', () => {
  it('maps a Kubernetes release onto its staging module version', () => {
    expect(expandVersion('v0.{minor}.{patch}', 'v1.37.2')).toBe('v0.37.2');
    expect(expandVersion('-X v.gitVersion={version} -X v.gitMajor={major}', 'v1.37.2')).toBe(
      '-X v.gitVersion=v1.37.2 -X v.gitMajor=1',
    );
  });

  it('rejects a version it cannot split', () => {
    expect(() => expandVersion('{minor}', 'latest')).toThrow(/semantic version/);
  });
});

const crd = `---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: issuers.cert-manager.io
spec:
  group: cert-manager.io
  names: {kind: Issuer, plural: issuers}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object}}
`;

describe('plainCrd', () => {
  it('returns a plain CRD unchanged', () => {
    expect(plainCrd(crd)).toBe(crd);
  });

  it('drops lines that are only Helm template directives', () => {
    const templated = `{{- if .Values.crds.enabled }}\n${crd}{{- end }}\n`;
    const doc = load(plainCrd(templated)) as { metadata: { name: string } };
    expect(doc.metadata.name).toBe('issuers.cert-manager.io');
    expect(plainCrd(templated)).not.toContain('{{');
  });

  it('removes a conversion webhook, which would need the cert-manager webhook running', () => {
    const withWebhook = crd.replace(
      '  scope: Namespaced\n',
      '  scope: Namespaced\n  conversion:\n    strategy: Webhook\n    webhook:\n      clientConfig: {service: {name: cert-manager-webhook, namespace: cert-manager}}\n      conversionReviewVersions: [v1]\n',
    );
    const doc = load(plainCrd(withWebhook)) as { spec: Record<string, unknown> };
    expect(doc.spec.conversion).toBeUndefined();
    expect(doc.spec.scope).toBe('Namespaced');
  });

  it('keeps a conversion strategy of None', () => {
    const none = crd.replace(
      '  scope: Namespaced\n',
      '  scope: Namespaced\n  conversion: {strategy: None}\n',
    );
    expect(plainCrd(none)).toBe(none);
  });

  it('refuses template syntax inside a line and non-CRD documents', () => {
    expect(() => plainCrd(crd.replace('issuers.cert-manager.io', '{{ .Release.Name }}'))).toThrow(/template/);
    expect(() => plainCrd('apiVersion: v1\nkind: ConfigMap\n')).toThrow(/not a CustomResourceDefinition/);
  });
});
