// The public keys each user of an account holds and held, for revocation (revocation.ts): from the
// user's credentials Secret, which the NatsUser controller annotates with the key it signed and the
// keys it retired, and from the cluster's identities Secret, where older operators kept them.
// Public keys only; a Secret that is not the user's own (another NatsUser of that name) is ignored.
import type { V1Secret } from '@kubernetes/client-node';
import type { NatsUser } from '../../api/index.ts';
import { ownEntry, retiredKeys, type StoredUser } from '../natscluster/user-handover.ts';
import { PUBLIC_KEY_ANNOTATION, RETIRED_KEYS_ANNOTATION } from '../natsuser/plan.ts';

export function userKeys(
  users: NatsUser[],
  stored: Record<string, StoredUser>,
  secretOf: (user: NatsUser) => V1Secret | undefined,
): Record<string, StoredUser> {
  const keys: Record<string, StoredUser> = { ...stored };
  for (const user of users) {
    if (user.spec.authType !== 'Creds') continue;
    const secret = secretOf(user);
    const owned = secret?.metadata?.ownerReferences?.some((ref) => ref.uid === user.metadata.uid);
    const publicKey = owned ? secret?.metadata?.annotations?.[PUBLIC_KEY_ANNOTATION] : undefined;
    if (!publicKey) continue;
    const legacyOwn = ownEntry(stored[user.metadata.name], user);
    const retired = [
      ...retiredKeys(secret?.metadata?.annotations?.[RETIRED_KEYS_ANNOTATION], legacyOwn),
      // An older operator's key that the NatsUser controller replaced is no longer valid either.
      ...(legacyOwn?.creds?.publicKey && legacyOwn.creds.publicKey !== publicKey
        ? [legacyOwn.creds.publicKey]
        : []),
    ];
    keys[user.metadata.name] = {
      ...(user.metadata.uid ? { ownerUid: user.metadata.uid } : {}),
      creds: { publicKey } as StoredUser['creds'],
      ...(retired.length ? { retired: [...new Set(retired)] } : {}),
    };
  }
  return keys;
}
