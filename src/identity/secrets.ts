// Generated secrets: passwords, route credentials, JetStream keys (their bcrypt hashes: password-hash.ts).
// Generated once by a controller and stored in a Secret; nothing here is called on every reconcile.
import { randomBytes } from 'node:crypto';

/** 32 random bytes, base64url: ~190 bits, safe in nats.conf quotes, URLs and env vars. */
export function generatePassword(): string {
  return randomBytes(32).toString('base64url');
}

/** A JetStream encryption key (nats-server derives the cipher key from it). */
export function generateJetStreamKey(): string {
  return randomBytes(32).toString('hex');
}
