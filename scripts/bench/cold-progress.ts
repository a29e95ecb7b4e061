// What the cold start has reached, from watches rather than polls. Listing every Secret of the
// namespace each second (11,000 of them, even as metadata only) and every NatsAccount with its
// status kept the bench process itself at about a third of a core while the operator and the API
// server shared the rest of the machine (run L, docs/benchmarks.md). Watching costs one event per
// change; the cold start's figure did not move (218 s polled, 217 s watched), so the polls were not
// what held it back, but the bench no longer competes with what it measures.
import { Kube, loadKubeConfig } from '../../src/k8s/client.ts';
import { makeCache, type Cache } from '../../src/k8s/informers.ts';
import type { KubernetesObject } from '@kubernetes/client-node';

export interface ColdProgress {
  /** Names of the users' credentials Secrets seen so far. */
  secretNames(): Set<string>;
  /** Names of the accounts every one of `servers` holds the current JWT of, and Ready. */
  distributedAccounts(servers: number): Set<string>;
  stop(): Promise<void>;
}

interface AccountStatus {
  distribution?: { current?: number };
  conditions?: { type: string; status: string }[];
}

export async function watchColdProgress(kubeconfig: string, namespace: string): Promise<ColdProgress> {
  const kc = loadKubeConfig(kubeconfig);
  const kube = new Kube(kc);
  const secrets: Cache = makeCache(kc, kube, {
    apiVersion: 'v1',
    kind: 'Secret',
    plural: 'secrets',
    namespace,
    labelSelector: 'app.kubernetes.io/name=nats-credentials',
  });
  const accounts: Cache<KubernetesObject & { status?: AccountStatus }> = makeCache(kc, kube, {
    apiVersion: 'natswarden.io/v1alpha1',
    kind: 'NatsAccount',
    plural: 'natsaccounts',
    namespace,
  });
  await Promise.all([secrets.start(), accounts.start()]);
  return {
    secretNames: () => new Set(secrets.list(namespace).map((s) => s.metadata!.name!)),
    distributedAccounts: (servers) =>
      new Set(
        accounts
          .list(namespace)
          .filter(
            (a) =>
              a.status?.distribution?.current === servers &&
              a.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
          )
          .map((a) => a.metadata!.name!),
      ),
    stop: async () => {
      await Promise.all([secrets.stop(), accounts.stop()]);
    },
  };
}
