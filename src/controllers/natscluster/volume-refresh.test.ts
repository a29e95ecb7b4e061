// The versions a server pod should mount change with a mounted Secret's resourceVersion or the
// ConfigMap's content, and nothing else; only running pods that name other versions are annotated.
import { describe, expect, test } from '@jest/globals';
import type { V1Pod } from '@kubernetes/client-node';
import { loadExample } from '../../../test/fixtures/examples.ts';
import { childNames } from '../../render/index.ts';
import { MOUNTED_VERSIONS_ANNOTATION, mountedVersions, podsToRefresh } from './volume-refresh.ts';

const cluster = loadExample('secure-cluster').clusters[0]!;
const names = childNames(cluster.metadata.name);
const versions = (overrides: Record<string, string> = {}, conf = { 'nats.conf': 'port: 4222' }) =>
  mountedVersions(cluster, conf, (name) => overrides[name] ?? `rv-${name}`);

describe('mountedVersions', () => {
  test('is stable for the same inputs', () => {
    expect(versions()).toBe(versions());
    expect(versions()).toMatch(/^[0-9a-f]{16}$/);
  });

  test('changes with the auth include, the routes include, a certificate or the trust bundle', () => {
    for (const secret of [names.authSecret, names.routesAuthSecret, names.serverSecret, names.trustBundle])
      expect(versions({ [secret]: 'rv-new' })).not.toBe(versions());
  });

  test('changes with the ConfigMap content; not with a Secret the pods do not mount', () => {
    expect(versions({}, { 'nats.conf': 'port: 4223' })).not.toBe(versions());
    expect(versions({ 'someone-else': 'rv-new' })).toBe(versions());
  });

  test('a mounted Secret not in the cache yet is a version of its own', () => {
    const missing = mountedVersions(cluster, {}, (name) => (name === names.authSecret ? undefined : 'rv'));
    expect(missing).not.toBe(mountedVersions(cluster, {}, () => 'rv'));
  });
});

describe('podsToRefresh', () => {
  const pod = (name: string, phase: string, annotation?: string, deleting = false): V1Pod => ({
    metadata: {
      name,
      ...(annotation ? { annotations: { [MOUNTED_VERSIONS_ANNOTATION]: annotation } } : {}),
      ...(deleting ? { deletionTimestamp: new Date() } : {}),
    },
    status: { phase },
  });

  test('picks the running pods that name other versions or none', () => {
    const pods = [
      pod('current', 'Running', 'v2'),
      pod('older', 'Running', 'v1'),
      pod('never', 'Running'),
      pod('starting', 'Pending'),
      pod('leaving', 'Running', 'v1', true),
    ];
    expect(podsToRefresh(pods, 'v2').map((p) => p.metadata?.name)).toEqual(['older', 'never']);
  });
});
