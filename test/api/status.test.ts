// A resource as the API server returns it — with status and its timestamps — validates: the
// controllers validate what they read from the cache.
import { expect, test } from '@jest/globals';
import { validateResource } from '../../src/api/index.ts';

test('a NatsCluster with status conditions validates', () => {
  const result = validateResource({
    apiVersion: 'natswarden.io/v1alpha1',
    kind: 'NatsCluster',
    metadata: { name: 'x', namespace: 'ns', generation: 2 },
    spec: {},
    status: { observedGeneration: 2, conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'ok', lastTransitionTime: '2026-11-24T20:00:00Z' }] },
  });
  expect(result.ok ? [] : result.errors).toEqual([]);
});
