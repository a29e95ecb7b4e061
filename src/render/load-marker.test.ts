// The Config-mode load marker (auth-conf.ts): it names the include it sits in, changes exactly when
// the include does, and no tenant can give an account its name.
import { describe, expect, test } from '@jest/globals';
import type { NatsAccount, NatsUser } from '../api/index.ts';
import { validateResource } from '../api/schema-check.ts';
import { loadExample } from '../../test/fixtures/examples.ts';
import { accountEntryDigest, configModeAuthWithMarker, LOAD_MARKER_PREFIX } from './auth-conf.ts';
import type { ClusterIdentities } from './context.ts';

const docs = loadExample('config-accounts');
const cluster = docs.clusters[0]!;
const identities = (users: NatsUser[]): ClusterIdentities => ({
  routePassword: 'x',
  users: Object.fromEntries(
    users.map((u) => [
      u.metadata.name,
      {
        password: { plaintext: 'p', bcryptHash: `$2a$11$${u.metadata.name}` },
        nkey: { seed: 'S', publicKey: `U${u.metadata.name}` },
      },
    ]),
  ),
});
const auth = (accounts: NatsAccount[], users: NatsUser[], ids = identities(users)) =>
  configModeAuthWithMarker(cluster, accounts, users, ids);

describe('the Config-mode load marker', () => {
  test('is an empty account of the include, the same for the same include', () => {
    const one = auth(docs.accounts, docs.users);
    expect(one.marker.startsWith(LOAD_MARKER_PREFIX)).toBe(true);
    expect((one.block.accounts as Record<string, unknown>)[one.marker]).toEqual({});
    expect(auth(docs.accounts, docs.users).marker).toBe(one.marker);
    expect([...one.userEntries.keys()].sort()).toEqual(docs.users.map((u) => u.metadata.name).sort());
  });

  test("changes with any user's entry; the other users' entries keep their digest", () => {
    const before = auth(docs.accounts, docs.users);
    const [first, ...rest] = docs.users;
    const changed = { ...first!, spec: { ...first!.spec, permissions: { publish: { deny: ['>'] } } } };
    const after = auth(docs.accounts, [changed, ...rest]);
    expect(after.marker).not.toBe(before.marker);
    expect(after.userEntries.get(first!.metadata.name)).not.toBe(
      before.userEntries.get(first!.metadata.name),
    );
    for (const user of rest)
      expect(after.userEntries.get(user.metadata.name)).toBe(before.userEntries.get(user.metadata.name));
    // A new password hash (a rotated user) is a new entry too.
    const password = docs.users.find((u) => u.spec.authType === 'Password')!.metadata.name;
    const rotated = identities(docs.users);
    rotated.users[password]!.password!.bcryptHash = '$2a$11$rotated';
    expect(auth(docs.accounts, docs.users, rotated).userEntries.get(password)).not.toBe(
      before.userEntries.get(password),
    );
  });

  test("changes with an account setting; that account's entry changes, not its users' or other accounts'", () => {
    const before = auth(docs.accounts, docs.users);
    const [first, ...rest] = docs.accounts;
    const limited = { ...first!, spec: { ...first!.spec, limits: { maxConnections: 7 } } };
    const after = auth([limited, ...rest], docs.users);
    expect(after.marker).not.toBe(before.marker);
    expect(after.accountEntries.get(first!.metadata.name)).toBe(accountEntryDigest(limited));
    expect(after.accountEntries.get(first!.metadata.name)).not.toBe(
      before.accountEntries.get(first!.metadata.name),
    );
    for (const account of rest)
      expect(after.accountEntries.get(account.metadata.name)).toBe(
        before.accountEntries.get(account.metadata.name),
      );
    expect(after.userEntries).toEqual(before.userEntries);
    // A user added to an account leaves the account's own entry as it was.
    expect(auth(docs.accounts, docs.users.slice(1)).accountEntries).toEqual(before.accountEntries);
  });

  test('is a name no NatsAccount can take', () => {
    const { marker } = auth(docs.accounts, docs.users);
    const account = { ...docs.accounts[0]!, spec: { ...docs.accounts[0]!.spec, accountName: marker } };
    expect(validateResource(docs.accounts[0]).ok).toBe(true);
    expect(validateResource(account).ok).toBe(false);
  });
});
