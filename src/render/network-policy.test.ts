import { describe, expect, test } from '@jest/globals';
import { loadExample } from '../../test/fixtures/examples.ts';
import { renderNetworkPolicy } from './network-policy.ts';

const cluster = loadExample('high-security').clusters[0]!;
type Rule = { from?: object[]; ports: { port: number }[] };
const rules = (c: typeof cluster, operatorNamespace?: string) =>
  (renderNetworkPolicy(c, { operatorNamespace })[0] as { spec: { ingress: Rule[] } } | undefined)?.spec
    .ingress;
const ruleFor = (ingress: Rule[] | undefined, port: number) =>
  ingress?.find((r) => r.ports[0]!.port === port);

describe('the NetworkPolicy', () => {
  test('monitoring only from the operator; routes only from the servers; clients from anywhere', () => {
    const ingress = rules(cluster, 'platform');
    expect(ruleFor(ingress, 4222)?.from).toBeUndefined();
    expect(ruleFor(ingress, 6222)?.from).toEqual([
      {
        podSelector: {
          matchLabels: {
            'app.kubernetes.io/name': 'nats',
            'app.kubernetes.io/instance': cluster.metadata.name,
          },
        },
      },
    ]);
    expect(ruleFor(ingress, 8222)?.from).toEqual([
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'platform' } },
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'nats-warden' } },
      },
    ]);
    expect(ingress).toHaveLength(3);
  });

  test('named namespaces may read monitoring too; a disabled policy renders nothing', () => {
    const withPrometheus = {
      ...cluster,
      spec: { ...cluster.spec, networkPolicy: { enabled: true, monitoringFromNamespaces: ['monitoring'] } },
    };
    expect(ruleFor(rules(withPrometheus), 8222)?.from).toContainEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
    });
    const off = { ...cluster, spec: { ...cluster.spec, networkPolicy: { enabled: false } } };
    expect(renderNetworkPolicy(off, {})).toEqual([]);
  });
});

describe('the NetworkPolicy with spec.monitoring.enabled: false', () => {
  const dark = loadExample('monitoring-off').clusters[0]!;
  test('admits no monitoring port at all: there is none', () => {
    const ingress = rules(dark, 'platform');
    expect(ruleFor(ingress, 8222)).toBeUndefined();
    expect(ingress?.map((r) => r.ports[0]!.port)).toEqual([4222, 6222]);
  });
});
