// A user's seed, password or creds live only in that user's own credentials Secret. The cluster's
// identities Secret keeps the public half (public key, bcrypt hash) that the servers need, so read
// access to it is not access as every user. A freshly generated credential is kept whole in the
// identities Secret only until the user's Secret is seen holding it ("handed over"); then the
// identities entry is stripped. A stripped entry whose user Secret is gone means the credential is
// lost: the user is rotated (new key, the old public key retired: revoked in JWT mode, dropped from
// the config in Config mode), never silently reissued. Pure except for the reader it is given.
import type { NatsUser } from '../../api/index.ts';
import { unverifiedClaims } from '../../identity/jwt.ts';
import { nativeKeyPair } from '../../identity/native-signer.ts';
import type { UserCredentials } from '../../render/index.ts';

/** What an identities entry may hold: the public half always, the secret half until handed over. */
export type StoredUser = Partial<UserCredentials> & {
  /** Public keys this user held before a rotation, still to be revoked. */
  retired?: string[];
};

/** The entry an older operator kept under the user's name, when it was made for this very NatsUser. */
export const ownEntry = (entry: StoredUser | undefined, user: NatsUser): StoredUser | undefined =>
  entry && (!entry.ownerUid || entry.ownerUid === user.metadata.uid) ? entry : undefined;

/** Keys the user held before, from its Secret's annotation and from its own older entry: all revoked. */
export const retiredKeys = (annotation: string | undefined, entry: StoredUser | undefined): string[] => [
  ...(annotation?.split(',').filter(Boolean) ?? []),
  ...(entry?.retired ?? []),
];

/** The decoded data of the user's own credentials Secret, when it exists and belongs to this user. */
export type UserSecretReader = (user: NatsUser) => Promise<Record<string, string> | undefined>;

export const hasSecretHalf = (entry: StoredUser | undefined) =>
  !!(entry?.password?.plaintext || entry?.nkey?.seed || entry?.creds?.content);

/** The entry as the identities Secret keeps it once handed over: public half only. */
export function stripped(entry: StoredUser): StoredUser {
  return {
    ...(entry.ownerUid ? { ownerUid: entry.ownerUid } : {}),
    ...(entry.retired?.length ? { retired: entry.retired } : {}),
    ...(entry.password ? { password: { bcryptHash: entry.password.bcryptHash } as never } : {}),
    ...(entry.nkey ? { nkey: { publicKey: entry.nkey.publicKey } as never } : {}),
    ...(entry.creds ? { creds: { publicKey: entry.creds.publicKey } as never } : {}),
  };
}

/** The user public key a creds file's JWT names (read, not verified: it is compared with ours). */
const credsSubject = (creds: string): string | undefined =>
  unverifiedClaims<{ sub?: string }>(/-----BEGIN NATS USER JWT-----\s*([^\s]+)\s*------END/.exec(creds)?.[1])
    ?.sub;
const seedPublicKey = (seed: string): string | undefined => {
  try {
    return nativeKeyPair(seed.trim()).getPublicKey();
  } catch {
    return undefined;
  }
};

/**
 * The whole credential, the public half from the entry and the secret half from the user's Secret,
 * when the Secret holds the credential the servers know (its key matches the public key). Undefined
 * when the Secret holds no such credential.
 */
export function fromUserSecret(
  user: NatsUser,
  entry: StoredUser,
  data: Record<string, string>,
): UserCredentials | undefined {
  const base = {
    ...(entry.ownerUid ? { ownerUid: entry.ownerUid } : {}),
    ...(entry.retired?.length ? { retired: entry.retired } : {}),
  };
  switch (user.spec.authType) {
    case 'Password': {
      const plaintext = data.password;
      if (!plaintext || !entry.password?.bcryptHash) return undefined;
      // While not yet handed over the entry knows the plaintext: the Secret must hold that one.
      if (entry.password.plaintext && entry.password.plaintext !== plaintext) return undefined;
      return { ...base, password: { plaintext, bcryptHash: entry.password.bcryptHash } };
    }
    case 'NKey': {
      const seed = data['nkey.seed'];
      if (!seed || !entry.nkey?.publicKey || seedPublicKey(seed) !== entry.nkey.publicKey) return undefined;
      return { ...base, nkey: { seed: seed.trim(), publicKey: entry.nkey.publicKey } };
    }
    case 'Creds': {
      const content = data['user.creds'];
      if (!content || !entry.creds?.publicKey || credsSubject(content) !== entry.creds.publicKey)
        return undefined;
      return { ...base, creds: { content, publicKey: entry.creds.publicKey } };
    }
    case 'Certificate':
      return { ...base } as UserCredentials;
  }
}

/** The public key a credential authenticates with (nkey or creds), for revocation. */
export const publicKeyOf = (entry: StoredUser | undefined): string | undefined =>
  entry?.creds?.publicKey ?? entry?.nkey?.publicKey;

export interface Resolution {
  /** Whole credentials by user name, for rendering. */
  users: Record<string, UserCredentials>;
  /** Users whose Secret holds their credential: their identities entries are kept stripped. */
  handedOver: Set<string>;
  /** Users whose credential is lost (stripped entry, no Secret holding it): rotate them. */
  lost: NatsUser[];
}

/** Completes each present user's stored entry from its Secret. Entries of users not given are left as they are. */
export async function resolveUsers(
  users: NatsUser[],
  stored: Record<string, StoredUser>,
  readSecret: UserSecretReader,
  takenFrom: (entry: StoredUser, user: NatsUser) => boolean,
): Promise<Resolution> {
  const resolved: Record<string, UserCredentials> = { ...(stored as Record<string, UserCredentials>) };
  const handedOver = new Set<string>();
  const lost: NatsUser[] = [];
  for (const user of users) {
    const name = user.metadata.name;
    const entry = stored[name];
    if (!entry || takenFrom(entry, user) || user.spec.authType === 'Certificate') continue;
    const data = await readSecret(user);
    const whole = data ? fromUserSecret(user, entry, data) : undefined;
    if (whole) {
      resolved[name] = whole;
      handedOver.add(name);
    } else if (!hasSecretHalf(entry)) lost.push(user);
  }
  return { users: resolved, handedOver, lost };
}
