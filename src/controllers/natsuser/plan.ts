// What a JWT-mode (Creds) user's credentials Secret must hold, decided purely from what is known:
// the user's spec, its account's key, the Secret as it is, and the key the user had before.
// - The key is generated once and kept: a Secret holding this user's known key keeps it, and its JWT
//   is signed again (same key) when the claims, the account key or the expiry call for it.
// - A Secret that is gone (or no longer holds a creds file) after a key was handed out means the
//   credential is lost: a new key, and the old one retired so the account revokes it. Never a
//   silent reissue of the same identity.
// The seed never leaves the Secret's data: annotations and status carry public keys and times only.
import type { User } from '@nats-io/jwt';
import { usernameOf, type NatsUser } from '../../api/index.ts';
import { newUserKey, unverifiedClaims, userClaims, userCreds, type KeyIdentity } from '../../identity/jwt.ts';
import { nativeKeyPair } from '../../identity/native-signer.ts';
import { durationToSeconds } from '../../render/units.ts';

export const PUBLIC_KEY_ANNOTATION = 'natswarden.io/public-key';
export const RETIRED_KEYS_ANNOTATION = 'natswarden.io/retired-keys';
export const EXPIRES_ANNOTATION = 'natswarden.io/expires-at';
/** The NatsAccount the creds were signed for: the account that revokes them once the Secret is deleted. */
export const ACCOUNT_ANNOTATION = 'natswarden.io/account';
/** The NatsUser generation its creds were signed for: Ready (and kstatus's Current) waits for it. */
export const SIGNED_GENERATION_ANNOTATION = 'natswarden.io/signed-generation';

/** The user's Secret as read: decoded data and annotations, when it exists and belongs to the user. */
export interface CurrentSecret {
  data: Record<string, string>;
  annotations: Record<string, string>;
}

export interface UserCredentialInputs {
  user: NatsUser;
  account: KeyIdentity;
  secret: CurrentSecret | undefined;
  /** Keys this user is known to have held (status, or the cluster's identities before this controller). */
  knownKey: string | undefined;
  /** A whole creds file kept for the user by an older operator (identities Secret), adoptable once. */
  legacyCreds: string | undefined;
  retired: string[];
  nowSeconds: number;
}

export type UserCredentialPlan =
  | { write: false; publicKey: string; expiresAt?: number; retired: string[] }
  | {
      write: true;
      creds: string;
      publicKey: string;
      expiresAt?: number;
      retired: string[];
      why: 'new' | 'rotated' | 'resigned' | 'adopted';
    };

interface UserJwtClaims {
  name?: string;
  sub?: string;
  iss?: string;
  iat?: number;
  exp?: number;
  nats?: Partial<User> & { type?: string; version?: number };
}

const JWT_IN_CREDS = /-----BEGIN NATS USER JWT-----\s*([^\s]+)\s*------END/;
const SEED_IN_CREDS = /-----BEGIN USER NKEY SEED-----\s*([^\s]+)\s*------END/;

/** The seed, its public key and the JWT's claims of a creds file; undefined if it does not hang together. */
export function parseCreds(creds: string | undefined) {
  const claims = unverifiedClaims<UserJwtClaims>(creds ? JWT_IN_CREDS.exec(creds)?.[1] : undefined);
  const seed = creds ? SEED_IN_CREDS.exec(creds)?.[1] : undefined;
  if (!claims || !seed) return undefined;
  try {
    const publicKey = nativeKeyPair(seed).getPublicKey();
    return claims.sub === publicKey ? { seed, publicKey, claims } : undefined;
  } catch {
    return undefined;
  }
}

/** Object keys sorted at every level, so claims compare by content, not by key order. */
const canonical = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(canonical)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, x]) => [k, canonical(x)]),
        )
      : v;
const same = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

/** Whether a JWT signed earlier still says what the spec and the account want, and is not half-expired. */
function upToDate(claims: UserJwtClaims, inputs: UserCredentialInputs): boolean {
  const { user, account, nowSeconds } = inputs;
  const { type: _type, version: _version, ...nats } = claims.nats ?? {};
  if (claims.iss !== account.publicKey || claims.name !== usernameOf(user)) return false;
  if (!same(nats, { data: -1, payload: -1, subs: -1, ...userClaims(user.spec) })) return false;
  const lifetime = user.spec.jwtExpiry ? durationToSeconds(user.spec.jwtExpiry) : undefined;
  if (!lifetime) return claims.exp === undefined;
  const iat = claims.iat ?? 0;
  // Signed again before half its lifetime has passed; a changed jwtExpiry takes effect at once.
  return claims.exp === iat + Math.floor(lifetime) && nowSeconds < iat + lifetime / 2;
}

export function planUserCredentials(inputs: UserCredentialInputs): UserCredentialPlan {
  const { secret, knownKey, legacyCreds } = inputs;
  const inSecret = parseCreds(secret?.data['user.creds']);
  const adoptable = parseCreds(legacyCreds);
  // The Secret's key is kept whenever it holds a whole creds file (knownKey may lag behind a
  // rotation just written); an older operator's stored creds are adopted only if they are the key
  // this user is known to hold.
  const current = inSecret
    ? { ...inSecret, why: 'resigned' as const }
    : adoptable && (!knownKey || adoptable.publicKey === knownKey)
      ? { ...adoptable, why: 'adopted' as const }
      : undefined;
  const retired = [...new Set(inputs.retired)];
  if (current) {
    if (current.why === 'resigned' && upToDate(current.claims, inputs))
      return { write: false, publicKey: current.publicKey, ...expiry(current.claims.exp), retired };
    return sign({ seed: current.seed, publicKey: current.publicKey }, current.why, inputs, retired);
  }
  const lost = knownKey;
  return sign(
    newUserKey(),
    lost ? 'rotated' : 'new',
    inputs,
    lost ? [...new Set([...retired, lost])] : retired,
  );
}

const expiry = (exp: number | undefined) => (exp === undefined ? {} : { expiresAt: exp });

function sign(
  key: KeyIdentity,
  why: 'new' | 'rotated' | 'resigned' | 'adopted',
  inputs: UserCredentialInputs,
  retired: string[],
): UserCredentialPlan {
  const creds = userCreds(inputs.account, key, usernameOf(inputs.user), inputs.user.spec);
  // Its claims only: the seed was just made from this key, so it is not imported again to check it.
  const exp = unverifiedClaims<UserJwtClaims>(JWT_IN_CREDS.exec(creds)?.[1])?.exp;
  return { write: true, creds, publicKey: key.publicKey, ...expiry(exp), retired, why };
}
