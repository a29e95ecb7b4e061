// A Secret read from the cache, or from the API server when the cache has none. The operator's
// caches hold only the Secrets it manages (by label) and lag a moment behind its own writes, so a
// miss is not proof of absence: a user's credentials Secret written a moment ago must not look lost
// (which would rotate the user), and a tenant's own Secret of that name must be seen (never
// overwritten).
import type { V1Secret } from '@kubernetes/client-node';
import type { Kube } from '../k8s/client.ts';
import type { Reader } from '../runtime/controller.ts';

export async function secretOrLive(
  ctx: { readers: { secrets: Reader<V1Secret> }; kube: Kube },
  name: string,
  namespace: string,
): Promise<V1Secret | undefined> {
  return (
    ctx.readers.secrets.get(name, namespace) ??
    (await ctx.kube.get<V1Secret>({ apiVersion: 'v1', kind: 'Secret', name, namespace }))
  );
}

/** Whether the Secret names the resource with this UID among its owners. */
export const ownedBy = (secret: V1Secret | undefined, uid: string | undefined): boolean =>
  !!secret?.metadata?.ownerReferences?.some((ref) => ref.uid === uid);
