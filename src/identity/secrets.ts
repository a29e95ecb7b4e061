// Generated secrets: passwords, route credentials, JetStream keys, and bcrypt hashes of them.
// Generated once by a controller and stored in a Secret; nothing here is called on every reconcile.
import bcrypt from 'bcryptjs';
import { randomBytes } from 'node:crypto';

/** 32 random bytes, base64url: ~190 bits, safe in nats.conf quotes, URLs and env vars. */
export function generatePassword(): string {
  return randomBytes(32).toString('base64url');
}

/** A JetStream encryption key (nats-server derives the cipher key from it). */
export function generateJetStreamKey(): string {
  return randomBytes(32).toString('hex');
}

/** bcrypt with cost 11, the cost `nats server passwd` uses. */
export function hashPassword(plaintext: string, cost = 11): string {
  return bcrypt.hashSync(plaintext, cost);
}

export function passwordMatches(plaintext: string, hash: string): boolean {
  return bcrypt.compareSync(plaintext, hash);
}
