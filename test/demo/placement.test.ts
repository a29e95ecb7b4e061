// The demo's placement patch follows the taint the nodes carry: tainted real nodes (beside the
// process kubelet) get a toleration and a node selector on the operator's and the servers' pods;
// untainted ones (the real nodes alone) get nothing, so removing the taint removes the patch.
import { describe, expect, test } from '@jest/globals';
import { placementFor, withPlacement, type NodeLike } from '../../scripts/demo/placement.ts';

const key = 'nats-warden.io/real-node';
const processNode: NodeLike = { metadata: { name: 'warden-node-1' } };
const realNode = (tainted: boolean): NodeLike => ({
  metadata: { name: 'warden-real-1', labels: { [key]: 'true' } },
  spec: tainted ? { taints: [{ key, value: 'true', effect: 'NoSchedule' }] } : {},
});

describe('placementFor', () => {
  test('tainted real nodes: tolerate the taint, select the label', () => {
    expect(placementFor([processNode, realNode(true)], key)).toEqual({
      tolerations: [{ key, operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
      nodeSelector: { [key]: 'true' },
    });
  });

  test('no node tainted: no placement', () => {
    expect(placementFor([realNode(false), realNode(false)], key)).toBeUndefined();
  });

  test('a tainted node without the label to select it by is an error naming it', () => {
    const unlabelled: NodeLike = {
      metadata: { name: 'n1' },
      spec: { taints: [{ key, effect: 'NoSchedule' }] },
    };
    expect(() => placementFor([unlabelled], key)).toThrow(/node n1 .* no label/);
  });
});

describe('withPlacement', () => {
  const docs = [
    { kind: 'Namespace', metadata: { name: 'x' } },
    { kind: 'Deployment', spec: { replicas: 2, template: { spec: { containers: [{ name: 'operator' }] } } } },
    { kind: 'NatsCluster', spec: { replicas: 3, podTemplate: { labels: { a: 'b' } } } },
    { kind: 'NatsUser', spec: { accountRef: { name: 'app' } } },
  ];

  test('sets the placement on the Deployment pod spec and the NatsCluster podTemplate only', () => {
    const placement = placementFor([realNode(true)], key)!;
    const [ns, deployment, cluster, user] = withPlacement(docs, placement) as typeof docs;
    expect(ns).toEqual(docs[0]);
    expect(user).toEqual(docs[3]);
    expect(deployment!.spec).toEqual({
      replicas: 2,
      template: { spec: { containers: [{ name: 'operator' }], ...placement } },
    });
    expect(cluster!.spec).toEqual({ replicas: 3, podTemplate: { labels: { a: 'b' }, ...placement } });
  });

  test('without a placement the documents are returned as they are', () => {
    expect(withPlacement(docs, undefined)).toBe(docs);
  });
});
