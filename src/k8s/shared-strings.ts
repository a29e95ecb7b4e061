// One copy of a string that many cached objects hold: every user's credentials Secret carries its
// cluster's whole trust bundle (`ca.crt`), and each object parsed from the API server holds its own
// copy, 10,000 copies of the same ~1.4 KB for 10,000 users. Bounded, so values that stop being
// shared (a rotated bundle) are dropped rather than kept forever.
export class SharedStrings {
  private readonly seen = new Map<string, string>();
  private readonly max: number;

  constructor(max = 32) {
    this.max = max;
  }

  /** The copy already held of an equal string, else this one (now held, the oldest dropped past max). */
  share(value: string): string {
    const held = this.seen.get(value);
    if (held !== undefined) return held;
    if (this.seen.size >= this.max) this.seen.delete(this.seen.keys().next().value as string);
    this.seen.set(value, value);
    return value;
  }

  get size(): number {
    return this.seen.size;
  }
}

/** Data keys whose values many Secrets share: the trust bundle every user's Secret carries. */
const SHARED_DATA_KEYS = ['ca.crt'];

/** Replaces a Secret's shared data values (SHARED_DATA_KEYS) with the one copy `strings` holds. */
export function shareSecretData(secret: { data?: Record<string, string> }, strings: SharedStrings): void {
  const data = secret.data;
  if (!data) return;
  for (const key of SHARED_DATA_KEYS) {
    const value = data[key];
    if (value !== undefined) data[key] = strings.share(value);
  }
}
