// bcrypt hashes of generated passwords (nats.conf holds the hash, the user's Secret the password).
// Apart from secrets.ts so that what needs no hash (`nats-warden render` without Password users)
// does not load bcryptjs (docs/cli.md).
import bcrypt from 'bcryptjs';

/** bcrypt with cost 11, the cost `nats server passwd` uses. */
export function hashPassword(plaintext: string, cost = 11): string {
  return bcrypt.hashSync(plaintext, cost);
}

export function passwordMatches(plaintext: string, hash: string): boolean {
  return bcrypt.compareSync(plaintext, hash);
}
