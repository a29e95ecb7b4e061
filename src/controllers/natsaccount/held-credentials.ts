// The deleting credentials Secrets each account must revoke before they may go (ADR 16). A Secret
// whose NatsUser is gone cannot be found through its user any more, so the NatsAccount controller
// notes them from the Secret events it sees (its cache holds only what it manages, by label): one
// small set of names per account, kept as the events arrive, the way IdentitiesChanges keeps what
// the identities Secret held. The reconcile reads each named Secret from the cache again, so a name
// noted here is only a hint; a Secret that moved on is dropped.
import type { KubernetesObject, V1Secret } from '@kubernetes/client-node';
import { fromPublic } from '@nats-io/nkeys';
import { ACCOUNT_ANNOTATION, PUBLIC_KEY_ANNOTATION, RETIRED_KEYS_ANNOTATION } from '../natsuser/plan.ts';
import { hasFinalizer, seconds, type HeldCredentials } from './revocation.ts';

const CREDENTIALS = 'nats-credentials';

const isCredentials = (o: KubernetesObject) => o.metadata?.labels?.['app.kubernetes.io/name'] === CREDENTIALS;
const deleting = (o: KubernetesObject) => !!o.metadata?.deletionTimestamp;

/** The account (namespace/name) a credentials Secret was signed for, from its annotation. */
export const accountOfSecret = (o: KubernetesObject): string | undefined => {
  const account = o.metadata?.annotations?.[ACCOUNT_ANNOTATION];
  return account ? `${o.metadata?.namespace ?? 'default'}/${account}` : undefined;
};

/** A user's public key as nats-server takes it; anything else in an annotation is not revoked. */
const isUserKey = (key: string): boolean => {
  if (!key.startsWith('U')) return false;
  try {
    fromPublic(key);
    return true;
  } catch {
    return false;
  }
};

/** What a deleting Secret that holds the finalizer asks its account to revoke; undefined otherwise. */
export function heldCredentials(secret: V1Secret | undefined): HeldCredentials | undefined {
  if (!secret?.metadata || !isCredentials(secret) || !deleting(secret) || !hasFinalizer(secret))
    return undefined;
  const annotations = secret.metadata.annotations ?? {};
  const keys = [
    annotations[PUBLIC_KEY_ANNOTATION] ?? '',
    ...(annotations[RETIRED_KEYS_ANNOTATION]?.split(',') ?? []),
  ].filter(isUserKey);
  return {
    name: secret.metadata.name ?? '',
    publicKeys: [...new Set(keys)],
    deletedAt: seconds(secret.metadata.deletionTimestamp, 0),
  };
}

export class HeldSecrets {
  private readonly byAccount = new Map<string, Set<string>>();

  /**
   * Notes (or forgets) a credentials Secret from one of its events.
   * @param account the account (namespace/name) it was signed for, or else its user's
   */
  observe(secret: KubernetesObject, account = accountOfSecret(secret)): void {
    const name = secret.metadata?.name;
    if (!account || !name) return;
    const names = this.byAccount.get(account);
    if (heldCredentials(secret as V1Secret)) this.byAccount.set(account, (names ?? new Set()).add(name));
    else if (names?.delete(name) && !names.size) this.byAccount.delete(account);
  }

  /** The names noted for the account (namespace/name). */
  of(account: string): string[] {
    return [...(this.byAccount.get(account) ?? [])];
  }
}
