// Which clusters run without a route listener (ADR 0011), and that moving between that and routes
// restarts the server: nats-server cannot add or drop its cluster listener by reload.
import { describe, expect, test } from '@jest/globals';
import type { NatsCluster } from '../api/index.ts';
import { loadExample } from '../../test/fixtures/examples.ts';
import { fixedContext } from '../../test/fixtures/render-context.ts';
import { listensForRoutes, renderNatsConf } from './nats-conf.ts';
import { podTemplateHash } from './statefulset.ts';

const base = loadExample('jwt-operator').clusters[0]!;
const variant = (replicas: number, jetstream: boolean): NatsCluster => ({
  ...base,
  spec: { ...base.spec, replicas, jetstream: { ...base.spec.jetstream, enabled: jetstream } },
});
const hash = (cluster: NatsCluster) => podTemplateHash(cluster, fixedContext(cluster, [], []));

describe('one replica with JetStream runs standalone', () => {
  test.each([
    [1, true, false],
    [1, false, true],
    [3, true, true],
    [3, false, true],
  ])('replicas %d, JetStream %s: cluster block %s', (replicas, jetstream, routed) => {
    const cluster = variant(replicas, jetstream);
    expect(listensForRoutes(cluster)).toBe(routed);
    expect(renderNatsConf(cluster).includes('\ncluster: {')).toBe(routed);
  });

  test('turning JetStream on or off at one replica changes the pod template (a restart)', () => {
    expect(hash(variant(1, true))).not.toBe(hash(variant(1, false)));
  });

  test('with routes, JetStream on or off and the replica count leave the template as it was', () => {
    expect(hash(variant(3, true))).toBe(hash(variant(3, false)));
    expect(hash(variant(1, false))).toBe(hash(variant(3, true)));
  });
});
