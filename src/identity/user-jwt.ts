// User JWTs, encoded synchronously. @nats-io/jwt's encode hashes the claims for `jti` with WebCrypto's
// asynchronous SHA-512, which costs about 90 µs a JWT here (a thread-pool round trip), more than the
// signature itself; a user key plus its creds is the hot path when thousands of users arrive at once.
// This builds the claims exactly as @nats-io/jwt's encodeUser does (same keys, same order, same
// `jti`) with node:crypto's synchronous SHA-512; user-jwt.test.ts proves the tokens byte-identical to
// the library's. Accounts, operators and activations stay with @nats-io/jwt (few, and not hot).
import type { User } from '@nats-io/jwt';
import type { KeyPair } from '@nats-io/nkeys';
import { createHash } from 'node:crypto';

const HEADER = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'ed25519-nkey' })).toString('base64url');

/** A v2 NATS JWT of `claim` signed by `signer`, as @nats-io/jwt's encode builds it. */
function encodeClaims(claim: Record<string, unknown>, signer: KeyPair): string {
  claim.iss = signer.getPublicKey();
  claim.iat = Math.floor(Date.now() / 1000);
  (claim.nats as { version: number }).version = 2;
  // jti: the standard (padded) base64 of the SHA-512 of the claims before jti is set.
  claim.jti = createHash('sha512').update(JSON.stringify(claim)).digest('base64');
  const payload = `${HEADER}.${Buffer.from(JSON.stringify(claim)).toString('base64url')}`;
  return `${payload}.${Buffer.from(signer.sign(Buffer.from(payload))).toString('base64url')}`;
}

export interface UserJwtOptions {
  /** Expiry, Unix seconds. */
  exp?: number;
}

/** A user JWT for `userPublicKey`, signed by its account's key (the same token encodeUser gives). */
export function encodeUserJwt(
  name: string,
  userPublicKey: string,
  account: KeyPair,
  user: Partial<User>,
  opts: UserJwtOptions = {},
): string {
  if (!userPublicKey.startsWith('U')) throw new Error('user JWT: the subject is not a user key');
  if (!account.getPublicKey().startsWith('A')) throw new Error('user JWT: the signer is not an account key');
  // Key order as encodeUser's: exp, nbf, aud (initClaim), name, sub, nats; then iss, iat, jti.
  const claim: Record<string, unknown> = { exp: opts.exp, nbf: undefined, aud: undefined };
  claim.name = name;
  claim.sub = userPublicKey;
  claim.nats = { data: -1, payload: -1, subs: -1, ...user, type: 'user' };
  claim.aud = 'NATS';
  return encodeClaims(claim, account);
}
