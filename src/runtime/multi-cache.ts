// One cache view over several namespaces' caches, so an operator limited to a list of namespaces
// reads through the same get/list calls as one watching them all.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Cache } from '../k8s/informers.ts';

export function multiCache(byNamespace: Map<string | undefined, Cache>): Cache {
  const all = [...byNamespace.values()];
  const pick = (namespace?: string) => byNamespace.get(namespace) ?? byNamespace.get(undefined);
  return {
    get: (name: string, namespace?: string) => pick(namespace)?.get(name, namespace),
    list: (namespace?: string) =>
      namespace ? (pick(namespace)?.list(namespace) ?? []) : all.flatMap((c) => c.list()),
    on: (verb: never, cb: never) => all.forEach((c) => c.on(verb, cb)),
    off: (verb: never, cb: never) => all.forEach((c) => c.off(verb, cb)),
    start: async () => void (await Promise.all(all.map((c) => c.start()))),
    stop: async () => void (await Promise.all(all.map((c) => c.stop()))),
  } as unknown as Cache<KubernetesObject>;
}
