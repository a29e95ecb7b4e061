import { describe, expect, test } from '@jest/globals';
import { sameJson, setCondition, setConditions, withStalled } from './conditions.ts';

describe('conditions', () => {
  const ready = { type: 'Ready', status: 'False' as const, reason: 'Progressing', message: 'waiting' };

  test('a new condition gets the transition time', () => {
    expect(setCondition([], ready, 't1', 3)).toEqual([
      { ...ready, lastTransitionTime: 't1', observedGeneration: 3 },
    ]);
  });
  test('the same status keeps the transition time even when reason and message change', () => {
    const first = setCondition([], ready, 't1');
    const second = setCondition(first, { ...ready, reason: 'Other', message: 'still waiting' }, 't2');
    expect(second[0]).toMatchObject({ reason: 'Other', lastTransitionTime: 't1' });
  });
  test('a flip moves the transition time', () => {
    const first = setCondition([], ready, 't1');
    expect(setCondition(first, { ...ready, status: 'True' }, 't2')[0]?.lastTransitionTime).toBe('t2');
  });
  test('an unchanged status compares equal whatever the key order, so no write happens', () => {
    const a = { readyReplicas: 3, conditions: setConditions([], [ready], 't1') };
    const b = {
      conditions: setConditions([], [ready], 't9').map((c) => ({ ...c, lastTransitionTime: 't1' })),
      readyReplicas: 3,
    };
    expect(sameJson(a, b)).toBe(true);
    expect(sameJson(a, { ...a, readyReplicas: 2 })).toBe(false);
  });

  describe('Stalled mirrors Degraded, for kstatus', () => {
    const degraded = {
      type: 'Degraded',
      status: 'True' as const,
      reason: 'OutOfBounds',
      message: 'spec.limits.maxPayload: above 64 MiB',
      lastTransitionTime: 't1',
      observedGeneration: 2,
    };
    test('a Degraded resource is Stalled for the same reason, since the same time', () => {
      expect(withStalled([degraded])).toEqual([degraded, { ...degraded, type: 'Stalled' }]);
    });
    test('recovering clears both, and an old Stalled is replaced, not duplicated', () => {
      const fine = { ...degraded, status: 'False' as const, reason: 'AsExpected', lastTransitionTime: 't2' };
      const stale = { ...degraded, type: 'Stalled' };
      expect(withStalled([fine, stale])).toEqual([fine, { ...fine, type: 'Stalled' }]);
    });
    test('waiting on another resource (a cluster not created yet) is not Stalled', () => {
      const waiting = {
        ...degraded,
        reason: 'ClusterNotFound',
        message: 'spec.clusterRef.name: no NatsCluster c',
      };
      expect(withStalled([waiting])).toEqual([waiting, { ...waiting, type: 'Stalled', status: 'False' }]);
    });
    test('without Degraded there is no Stalled', () => {
      const ready = { ...degraded, type: 'Ready', status: 'True' as const };
      expect(withStalled([ready, { ...degraded, type: 'Stalled' }])).toEqual([ready]);
    });
  });
});
