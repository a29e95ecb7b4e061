import { describe, expect, test } from '@jest/globals';
import { nextPartition, planRoll, type PodView, type StatefulSetView } from './roll.ts';

const pods = (revisions: string[], ready = revisions.map(() => true)): PodView[] =>
  revisions.map((revision, ordinal) => ({
    name: `nats-${ordinal}`,
    ordinal,
    revision,
    ready: ready[ordinal] ?? true,
    restarts: 0,
    createdAt: '2026-01-01T00:00:00Z',
  }));
const sts = (over: Partial<StatefulSetView>): StatefulSetView =>
  ({
    exists: true,
    replicas: 3,
    partition: 0,
    templateHash: 'h1',
    updateRevision: 'r1',
    ...over,
  }) as StatefulSetView;
const NOW = Date.parse('2026-01-01T00:01:00Z');

describe('planRoll', () => {
  test('a new StatefulSet starts every pod at once', () => {
    expect(
      planRoll({ exists: false, replicas: 3, partition: 0, verified: false }, 'h1', [], NOW, 60_000),
    ).toEqual({
      kind: 'idle',
      partition: 0,
    });
  });

  test('a changed template starts a roll with only the highest ordinal', () => {
    expect(planRoll(sts({}), 'h2', pods(['r1', 'r1', 'r1']), NOW, 60_000)).toEqual({
      kind: 'start',
      partition: 2,
    });
  });

  test('waits while the pod at the partition is being replaced', () => {
    const decision = planRoll(
      sts({ partition: 2, templateHash: 'h2', updateRevision: 'r2' }),
      'h2',
      pods(['r1', 'r1', 'r1']),
      NOW,
      60_000,
    );
    expect(decision).toMatchObject({ kind: 'wait', partition: 2, pod: 'nats-2', stuck: false });
  });

  test('checks the replaced pod once it is ready, then steps down', () => {
    const decision = planRoll(
      sts({ partition: 2, templateHash: 'h2', updateRevision: 'r2' }),
      'h2',
      pods(['r1', 'r1', 'r2']),
      NOW,
      60_000,
    );
    expect(decision).toMatchObject({ kind: 'check', partition: 2, pod: { name: 'nats-2' } });
    expect(nextPartition(2)).toBe(1);
  });

  test('a replaced pod that stays unready past the timeout, or restarts, stops the roll there', () => {
    const late = planRoll(
      sts({ partition: 2, templateHash: 'h2', updateRevision: 'r2' }),
      'h2',
      pods(['r1', 'r1', 'r2'], [true, true, false]),
      NOW,
      30_000,
    );
    expect(late).toMatchObject({
      kind: 'wait',
      partition: 2,
      pod: 'nats-2',
      stuck: true,
      reason: 'not ready after 60 s',
    });
    const crashing = pods(['r1', 'r1', 'r2'], [true, true, false]);
    crashing[2]!.restarts = 2;
    expect(
      planRoll(sts({ partition: 2, templateHash: 'h2', updateRevision: 'r2' }), 'h2', crashing, NOW, 600_000),
    ).toMatchObject({ stuck: true, reason: 'not ready and restarted 2 times' });
  });

  test('resumes from the cluster state alone: partition 1 with pod 1 replaced is checked next', () => {
    expect(
      planRoll(
        sts({ partition: 1, templateHash: 'h2', updateRevision: 'r2' }),
        'h2',
        pods(['r1', 'r2', 'r2']),
        NOW,
        60_000,
      ),
    ).toMatchObject({ kind: 'check', partition: 1 });
  });

  test('at partition 0 with every pod replaced and ready, every server is verified once', () => {
    const decision = planRoll(
      sts({ partition: 0, updateRevision: 'r2' }),
      'h1',
      pods(['r2', 'r2', 'r2']),
      NOW,
      60_000,
    );
    expect(decision).toMatchObject({ kind: 'verify', partition: 0 });
    expect(decision.kind === 'verify' && decision.pods.map((p) => p.name)).toEqual([
      'nats-0',
      'nats-1',
      'nats-2',
    ]);
  });

  test('once verified, the steady state is idle', () => {
    expect(
      planRoll(
        sts({ partition: 0, updateRevision: 'r2', verified: true }),
        'h1',
        pods(['r2', 'r2', 'r2']),
        NOW,
        60_000,
      ),
    ).toEqual({ kind: 'idle', partition: 0 });
  });

  test('a fresh cluster whose pods are not all ready yet waits for them', () => {
    expect(
      planRoll(sts({ partition: 0 }), 'h1', pods(['r1', 'r1', 'r1'], [true, false, true]), NOW, 60_000),
    ).toMatchObject({ kind: 'wait', pod: 'nats-1', reason: 'not ready after 60 s' });
  });
});
