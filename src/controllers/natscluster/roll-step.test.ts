// The roll with spec.monitoring.enabled: false: no monitoring endpoint to ask, so pod readiness is the
// gate, and the outcome says so. The pods' address is unroutable: asking it would leave them unverified.
import { describe, expect, test } from '@jest/globals';
import { loadExample } from '../../../test/fixtures/examples.ts';
import { TEMPLATE_HASH_ANNOTATION } from '../../render/index.ts';
import { rollStep, type RollInputs } from './roll-step.ts';

const dark = loadExample('monitoring-off').clusters[0]!;
const monitored = loadExample('minimal-tls').clusters[0]!;

const inputs = (cluster: typeof dark, ready: boolean[], partition = 0): RollInputs => ({
  cluster,
  clusterDomain: 'cluster.local',
  trustBundle: '',
  certificates: [],
  desiredTemplateHash: 'h1',
  statefulSet: {
    metadata: { generation: 1, annotations: { [TEMPLATE_HASH_ANNOTATION]: 'h1' } },
    spec: { updateStrategy: { rollingUpdate: { partition } } },
    status: { observedGeneration: 1, updateRevision: 'r1' },
  },
  pods: ready.map((isReady, ordinal) => ({
    metadata: {
      name: `${cluster.metadata.name}-${ordinal}`,
      creationTimestamp: new Date().toISOString(),
      labels: { 'controller-revision-hash': 'r1' },
    },
    status: {
      podIP: '192.0.2.1', // TEST-NET-1: nothing answers there
      conditions: [{ type: 'Ready', status: isReady ? 'True' : 'False' }],
    },
  })),
  timeoutMs: 60_000,
  now: Date.now(),
});

describe('the health-gated roll without a monitoring port', () => {
  test('every pod ready: verified by readiness alone, and the message says so', async () => {
    const outcome = await rollStep(inputs(dark, [true, true, true]));
    expect(outcome.phase).toBe('Idle');
    expect(outcome.verifiedKey).toBeDefined();
    expect(outcome.message).toMatch(/all 3 servers ready \(monitoring is off: pod readiness only/);
  });

  test('a replaced pod that is ready lets the partition step down', async () => {
    const outcome = await rollStep(inputs(dark, [true, true, true], 2));
    expect(outcome).toMatchObject({ partition: 1, phase: 'Rolling' });
    expect(outcome.message).toMatch(/dark-2 ready; moving on \(monitoring is off/);
  });

  test('with monitoring on, the same pods are not verified without an answer from /healthz', async () => {
    const outcome = await rollStep(inputs(monitored, [true, true, true]));
    expect(outcome.phase).toBe('Verifying');
    expect(outcome.verifiedKey).toBeUndefined();
  }, 30_000);
});
