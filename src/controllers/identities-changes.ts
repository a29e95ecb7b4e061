// Which accounts and users a change of a cluster's identities Secret concerns. The cluster
// controller writes that Secret whenever it generates keys; during a cold start with 1,000 accounts
// that is many writes, and enqueuing every account and every user of the cluster on each one meant
// about 10,000 reconciles per write. Only the accounts whose key changed, and the users whose stored
// entry changed, are concerned, unless something cluster-wide changed (the operator's keys, the
// system user): then all are. It compares the Secret's data with the previous data it saw, so a
// controller keeps one instance (stateful, never shared between controllers).
import { jwtKeysOf } from './natscluster/identities.ts';

type SecretData = Record<string, string>;

export type IdentitiesChange =
  | { all: true }
  | {
      all: false;
      /** NATS account names (spec.accountName, else the NatsAccount's name). */
      accounts: Set<string>;
      /** NatsUser names with a stored entry (`user.<name>.json`, kept by older operators). */
      users: Set<string>;
    };

/** The keys that hold one entry per account; every other key but users' is cluster-wide. */
const PER_ACCOUNT = new Set(['accounts.json', 'account-seeds.json', 'account-owners.json']);
const USER_ENTRY = /^user\.(.+)\.json$/;

export class IdentitiesChanges {
  private readonly seen = new Map<string, SecretData>();

  /** What the event on `secret` changed, read against the cache (gone from it: deleted). */
  ofEvent(
    secret: { metadata?: { name?: string; namespace?: string } },
    cached: (name: string, namespace?: string) => { data?: SecretData } | undefined,
  ): IdentitiesChange {
    const ns = secret.metadata?.namespace;
    const name = secret.metadata?.name ?? '';
    return this.changed(`${ns}/${name}`, cached(name, ns)?.data);
  }

  /**
   * @param key the Secret's namespace/name
   * @param data its data now; undefined when it is gone (every account and user is concerned)
   */
  changed(key: string, data: SecretData | undefined): IdentitiesChange {
    const before = this.seen.get(key);
    if (data) this.seen.set(key, data);
    else this.seen.delete(key);
    if (!before || !data) return { all: true };
    const users = new Set<string>();
    let perAccount = false;
    for (const name of new Set([...Object.keys(before), ...Object.keys(data)])) {
      if (before[name] === data[name]) continue;
      const user = USER_ENTRY.exec(name)?.[1];
      if (user) users.add(user);
      else if (PER_ACCOUNT.has(name)) perAccount = true;
      else return { all: true };
    }
    return { all: false, accounts: perAccount ? changedAccounts(before, data) : new Set(), users };
  }
}

function changedAccounts(before: SecretData, after: SecretData): Set<string> {
  const [a, b] = [jwtKeysOf(before), jwtKeysOf(after)];
  const names = new Set([
    ...Object.keys(a.accountPublicKeys),
    ...Object.keys(b.accountPublicKeys),
    ...Object.keys(a.accountSeeds),
    ...Object.keys(b.accountSeeds),
    ...Object.keys(a.accountOwners),
    ...Object.keys(b.accountOwners),
  ]);
  return new Set(
    [...names].filter(
      (n) =>
        a.accountPublicKeys[n] !== b.accountPublicKeys[n] ||
        a.accountSeeds[n] !== b.accountSeeds[n] ||
        a.accountOwners[n] !== b.accountOwners[n],
    ),
  );
}
