import { describe, expect, test } from '@jest/globals';
import { validateResource, type NatsCluster } from '../../api/index.ts';
import { clusterStatus, type ClusterObservation } from './status.ts';

const checked = validateResource({
  apiVersion: 'natswarden.io/v1alpha1',
  kind: 'NatsCluster',
  metadata: { name: 'c', namespace: 'n', generation: 3 },
  spec: {},
});
const cluster = (checked.ok ? checked.value : undefined) as NatsCluster;
const certificates = [
  { role: 'server', name: 'c-server', secretName: 'c-server-tls', ready: true, reason: 'Ready' },
];
const rollout = { exists: true, replicas: 3, readyReplicas: 3, updatedReplicas: 3, rolledOut: true };
const condition = (seen: ClusterObservation, type: string) =>
  clusterStatus(cluster, seen, 't').conditions?.find((c) => c.type === type);

describe('clusterStatus', () => {
  test('Ready once every server is rolled out and verified', () => {
    const seen = {
      certificates,
      configApplied: true,
      rollout,
      roll: { partition: 0, phase: 'Idle' as const, message: 'all 3 servers verified' },
    };
    expect(condition(seen, 'Ready')).toMatchObject({ status: 'True', observedGeneration: 3 });
    expect(condition(seen, 'Progressing')).toMatchObject({
      status: 'False',
      message: 'all 3 servers verified',
    });
  });

  test('a blocked roll is Degraded naming the pod, and not Ready', () => {
    const seen = {
      certificates,
      configApplied: true,
      rollout: { ...rollout, readyReplicas: 2, rolledOut: false },
      roll: { partition: 2, phase: 'Blocked' as const, message: 'c-2: not ready and restarted 4 times' },
    };
    expect(condition(seen, 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'RollBlocked',
      message: expect.stringContaining('c-2: not ready and restarted 4 times'),
    });
    expect(condition(seen, 'Ready')).toMatchObject({ status: 'False', reason: 'Degraded' });
    expect(condition(seen, 'Progressing')).toMatchObject({ status: 'True', reason: 'Blocked' });
  });

  test('a roll in progress is Progressing with its step, and not yet Ready', () => {
    const seen = {
      certificates,
      configApplied: true,
      rollout,
      roll: { partition: 1, phase: 'Rolling' as const, message: 'c-2 verified; moving on' },
    };
    expect(condition(seen, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'Rolling',
      message: 'c-2 verified; moving on',
    });
    expect(condition(seen, 'Ready')?.status).toBe('False');
  });
});
