// Revocation in JWT mode, decided purely from what the caches hold. The key in a deleted user's
// credentials Secret, and any key a user held before a rotation, goes into its account's revocation
// list (kept in the `<account>-nats-revocations` ConfigMap, so it survives servers that lose their
// resolver directory); the account JWT is re-signed with it and pushed; nats-server then closes the
// user's live connections and refuses its creds. The credentials Secret carries the finalizer from
// the request that writes the key into it (ADR 16), so it stays until every server holds a JWT with
// the revocation, whether its NatsUser was deleted (the garbage collector then deletes the Secret)
// or only the Secret was. A deleted NatsAccount keeps its own finalizer the same way, revoking `*`
// (every user). NatsUsers that an older operator gave the finalizer are still revoked and released
// through it. Public keys and times only: nothing here is secret.
import type { NatsAccount, NatsCluster, NatsUser } from '../../api/index.ts';
import type { StoredUser } from '../natscluster/user-handover.ts';

export const REVOKE_FINALIZER = 'natswarden.io/revoke';
/** Revokes every user of the account issued before the time (a deleted account). */
export const ALL_USERS = '*';

/** ConfigMap keys allow only [-._a-zA-Z0-9]: `*` is kept under this key. */
const ALL_USERS_KEY = 'all-users';

export const revocationsName = (account: NatsAccount) => `${account.metadata.name}-nats-revocations`;

export const seconds = (at: string | Date | undefined, fallback: number) =>
  at ? Math.floor(new Date(at).getTime() / 1000) : fallback;
export const hasFinalizer = (o: { metadata?: { finalizers?: string[] } }) =>
  (o.metadata?.finalizers ?? []).includes(REVOKE_FINALIZER);
const deleting = (o: { metadata: object }) =>
  !!(o.metadata as { deletionTimestamp?: unknown }).deletionTimestamp;

/** A deleting credentials Secret that holds the finalizer: the keys it held, public only. */
export interface HeldCredentials {
  /** The Secret's name. */
  name: string;
  /** The key it held, and the keys its user held before it (from its annotations). */
  publicKeys: string[];
  /** Its deletionTimestamp, in seconds. */
  deletedAt: number;
}

export interface RevocationPlan {
  /** The revocation list the account JWT must carry. */
  revocations: Record<string, number>;
  /** Whether it differs from the stored one (write the ConfigMap before signing). */
  changed: boolean;
  /** Deleting users (an older operator's finalizer) whose finalizer may go once every server holds the JWT. */
  release: NatsUser[];
  /** Deleting credentials Secrets whose finalizer may go once every server holds the JWT. */
  releaseSecrets: string[];
}

/**
 * @param users the NatsUsers that name the account, deleting ones included
 * @param credentials the cluster's stored user entries (identities), by NatsUser name
 * @param stored the revocation list kept so far
 * @param nowSeconds the time a new revocation is dated with when the object carries none
 * @param held the account's deleting credentials Secrets that hold the finalizer
 */
export function planRevocations(
  account: NatsAccount,
  users: NatsUser[],
  credentials: Record<string, StoredUser>,
  stored: Record<string, number>,
  nowSeconds: number,
  held: HeldCredentials[] = [],
): RevocationPlan {
  const revocations = { ...stored };
  const release: NatsUser[] = [];
  for (const secret of held)
    for (const publicKey of secret.publicKeys)
      if (revocations[publicKey] === undefined) revocations[publicKey] = secret.deletedAt;
  for (const user of users.filter((u) => deleting(u) && hasFinalizer(u))) {
    const entry = credentials[user.metadata.name];
    // Only the key made for this very resource: another NatsUser's entry under its name is not its own.
    const own = entry && (!entry.ownerUid || entry.ownerUid === user.metadata.uid);
    const publicKey = own ? entry.creds?.publicKey : undefined;
    if (publicKey && revocations[publicKey] === undefined) {
      const at = (user.metadata as { deletionTimestamp?: string }).deletionTimestamp;
      revocations[publicKey] = seconds(at, nowSeconds);
    }
    release.push(user);
  }
  // Keys a user held before it was rotated (its Secret was lost): never valid again.
  for (const user of users.filter((u) => !deleting(u))) {
    const entry = credentials[user.metadata.name];
    if (!entry || (entry.ownerUid && entry.ownerUid !== user.metadata.uid)) continue;
    for (const retired of entry.retired ?? [])
      if (revocations[retired] === undefined) revocations[retired] = nowSeconds;
  }
  if (deleting(account) && hasFinalizer(account) && revocations[ALL_USERS] === undefined) {
    const at = (account.metadata as { deletionTimestamp?: string }).deletionTimestamp;
    revocations[ALL_USERS] = seconds(at, nowSeconds);
  }
  const changed = JSON.stringify(sorted(revocations)) !== JSON.stringify(sorted(stored));
  return { revocations, changed, release, releaseSecrets: held.map((s) => s.name) };
}

const sorted = (r: Record<string, number>) => Object.entries(r).sort(([a], [b]) => a.localeCompare(b));

/** The ConfigMap that keeps an account's revocations, owned by the account. */
export function revocationsConfigMap(
  account: NatsAccount,
  cluster: NatsCluster,
  revocations: Record<string, number>,
): object {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: revocationsName(account),
      namespace: account.metadata.namespace ?? 'default',
      labels: {
        'app.kubernetes.io/managed-by': 'nats-warden',
        'app.kubernetes.io/name': 'nats-revocations',
        'app.kubernetes.io/instance': cluster.metadata.name,
        'natswarden.io/account': account.metadata.name,
      },
      ownerReferences: [
        {
          apiVersion: 'natswarden.io/v1alpha1',
          kind: 'NatsAccount',
          name: account.metadata.name,
          uid: account.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: false,
        },
      ],
    },
    data: Object.fromEntries(
      Object.entries(revocations).map(([key, at]) => [key === ALL_USERS ? ALL_USERS_KEY : key, String(at)]),
    ),
  };
}

/** The stored list, when the ConfigMap belongs to this account (not a deleted namesake's). */
export function readRevocations(
  account: NatsAccount,
  configMap:
    { metadata?: { ownerReferences?: { uid: string }[] }; data?: Record<string, string> } | undefined,
): Record<string, number> {
  const owner = configMap?.metadata?.ownerReferences?.[0]?.uid;
  if (!configMap || (account.metadata.uid && owner !== account.metadata.uid)) return {};
  return Object.fromEntries(
    Object.entries(configMap.data ?? {})
      .map(([key, at]) => [key === ALL_USERS_KEY ? ALL_USERS : key, Number(at)] as const)
      .filter(([, at]) => Number.isSafeInteger(at)),
  );
}
