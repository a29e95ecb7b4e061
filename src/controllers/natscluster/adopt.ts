// cert-manager writes certificate Secrets without owner references (unless it runs with
// --enable-certificate-owner-ref, a cluster-wide choice we cannot assume), so deleting a NatsCluster
// would leave its keys behind. The operator adopts them: a server-side apply of nothing but
// metadata.ownerReferences, a field cert-manager does not manage, done once per Secret.
import type { KubernetesObject } from '@kubernetes/client-node';
import { ownerReference, type Owner } from '../../render/names.ts';

export interface Adoption {
  secretName: string;
  owner: Owner;
}

export function adoptionPatch(namespace: string, adoption: Adoption): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: adoption.secretName, namespace, ownerReferences: [ownerReference(adoption.owner)] },
  };
}

/** Adoptions still to do: the Secret exists and does not yet name its owner. */
export function pendingAdoptions(
  adoptions: Adoption[],
  secretOf: (name: string) => KubernetesObject | undefined,
): Adoption[] {
  return adoptions.filter(({ secretName, owner }) => {
    const secret = secretOf(secretName);
    return (
      secret !== undefined &&
      !(secret.metadata?.ownerReferences ?? []).some((ref) => ref.uid === owner.metadata.uid)
    );
  });
}
