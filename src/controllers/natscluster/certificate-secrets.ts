// What the controller does with the Secrets cert-manager writes: adopts them (owner references, so
// deleting the NatsCluster or NatsUser removes them; adopt.ts) and reads the CAs in them for the
// trust bundle (trust-bundle.ts decides its contents).
import type { KubernetesObject } from '@kubernetes/client-node';
import type { NatsCluster, NatsUser } from '../../api/index.ts';
import { childNames, clientCertificateSecretName } from '../../render/index.ts';
import type { ControllerContext } from '../../runtime/controller.ts';
import { adoptionPatch, pendingAdoptions, type Adoption } from './adopt.ts';
import type { NatsClusterWatches } from './controller.ts';
import { nextTrustBundle } from './trust-bundle.ts';

type Context = ControllerContext<NatsClusterWatches>;

const decode = (s: { data?: Record<string, string> } | undefined, key: string) => {
  const value = s?.data?.[key];
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
};

/** Puts owner references on the Secrets cert-manager wrote, once each. */
export async function adoptCertificateSecrets(
  ctx: Context,
  cluster: NatsCluster,
  users: NatsUser[],
): Promise<void> {
  const ns = cluster.metadata.namespace ?? 'default';
  const names = childNames(cluster.metadata.name);
  const owner = { ...cluster, apiVersion: 'natswarden.io/v1alpha1', kind: 'NatsCluster' };
  const adoptions: Adoption[] = [
    names.serverSecret,
    names.routesSecret,
    ...(cluster.spec.tls.issuerRef ? [] : [names.caSecret]),
  ].map((secretName) => ({ secretName, owner }));
  for (const user of users)
    adoptions.push({
      secretName: clientCertificateSecretName(user),
      owner: { ...user, apiVersion: 'natswarden.io/v1alpha1', kind: 'NatsUser' },
    });
  const secretOf = (name: string) => ctx.readers.secrets.get(name, ns) as KubernetesObject | undefined;
  for (const adoption of pendingAdoptions(adoptions, secretOf))
    await ctx.kube.apply(adoptionPatch(ns, adoption));
}

/** Current CA plus the previous one while leaves still carry it; undefined until the CA is readable. */
export function readTrustBundle(ctx: Context, cluster: NatsCluster): string | undefined {
  const ns = cluster.metadata.namespace ?? 'default';
  const names = childNames(cluster.metadata.name);
  const secret = (name: string) => ctx.readers.secrets.get(name, ns);
  const leafCas = [names.serverSecret, names.routesSecret].map((s) => decode(secret(s), 'ca.crt') ?? '');
  // Without a bootstrapped CA, the issuer's CA is what the leaves name as their issuer.
  const currentCa = cluster.spec.tls.issuerRef ? leafCas[0] : decode(secret(names.caSecret), 'tls.crt');
  if (!currentCa) return undefined;
  return nextTrustBundle(currentCa, decode(secret(names.trustBundle), 'ca.crt'), leafCas);
}
