// Identities are generated once and only added to: the sequences a real cluster goes through.
import { describe, expect, test } from '@jest/globals';
import { decode, parseCreds } from '@nats-io/jwt';
import { loadExample } from '../../../test/fixtures/examples.ts';
import { membersOf } from '../../render/index.ts';
import { ensureIdentities } from './identities.ts';

const asStored = (secret: object | undefined) => secret as { data: Record<string, string> };
/** No user Secret written yet: every credential is still held whole in the identities Secret. */
const noUserSecrets = async () => undefined;

describe('ensureIdentities', () => {
  const docs = loadExample('jwt-operator');
  const cluster = docs.clusters[0]!;
  const members = membersOf(cluster, docs.accounts, docs.users);

  test('users that arrive after the operator identity are signed by their stored account key', async () => {
    const first = await ensureIdentities(cluster, members.accounts, [], undefined, false, noUserSecrets);
    if (first.kind !== 'ready') throw new Error('expected identities');
    const second = await ensureIdentities(
      cluster,
      members.accounts,
      members.users,
      asStored(first.secret),
      true,
      noUserSecrets,
    );
    if (second.kind !== 'ready') throw new Error('expected identities');
    expect(second.identities.jwt?.operatorJwt).toBe(first.identities.jwt?.operatorJwt);
    const creds = await parseCreds(new TextEncoder().encode(second.identities.users.sensor!.creds!.content));
    expect(creds.uc.iss).toBe(first.identities.jwt!.accounts.telemetry!.publicKey);
    expect(decode(first.identities.jwt!.accounts.telemetry!.jwt!).sub).toBe(creds.uc.iss);
  });

  test('nothing is regenerated once stored', async () => {
    const first = await ensureIdentities(
      cluster,
      members.accounts,
      members.users,
      undefined,
      false,
      noUserSecrets,
    );
    if (first.kind !== 'ready') throw new Error('expected identities');
    const again = await ensureIdentities(
      cluster,
      members.accounts,
      members.users,
      asStored(first.secret),
      true,
      noUserSecrets,
    );
    expect(again).toMatchObject({ kind: 'ready' });
    expect(again.kind === 'ready' && again.secret).toBeUndefined();
    expect(again.kind === 'ready' && again.identities.routePassword).toBe(first.identities.routePassword);
  });

  test('a lost identities Secret, once handed out, is reported, never silently regenerated', async () => {
    expect(
      await ensureIdentities(cluster, members.accounts, members.users, undefined, true, noUserSecrets),
    ).toMatchObject({
      kind: 'lost',
    });
    const regenerate = {
      ...cluster,
      metadata: { ...cluster.metadata, annotations: { 'natswarden.io/regenerate-identities': 'true' } },
    };
    expect(
      await ensureIdentities(regenerate, members.accounts, members.users, undefined, true, noUserSecrets),
    ).toMatchObject({
      kind: 'ready',
    });
  });

  describe('keys belong to the resource (UID) they were made for, not to its name', () => {
    const withUid = <T extends { metadata: object }>(doc: T, uid: string): T => ({
      ...doc,
      metadata: { ...doc.metadata, uid },
    });
    const accounts = members.accounts.map((a, i) => withUid(a, `account-uid-${i}`));
    const users = members.users.map((u, i) => withUid(u, `user-uid-${i}`));
    type Args = Parameters<typeof ensureIdentities>;
    const ready = async (...args: [Args[0], Args[1], Args[2], Args[3], Args[4]]) => {
      const outcome = await ensureIdentities(...args, noUserSecrets);
      if (outcome.kind !== 'ready') throw new Error('expected identities');
      return outcome;
    };
    const pubOf = (secret: object | undefined, name: string) =>
      (
        JSON.parse(Buffer.from(asStored(secret).data['accounts.json']!, 'base64').toString()) as Record<
          string,
          { publicKey: string }
        >
      )[name]!.publicKey;

    test('the same resources keep everything; a user re-created under its name gets new credentials', async () => {
      const first = await ready(cluster, accounts, users, undefined, false);
      const same = await ready(cluster, accounts, users, asStored(first.secret), true);
      expect(same.secret).toBeUndefined();
      const recreated = users.map((u) => (u.metadata.name === 'sensor' ? withUid(u, 'a-new-uid') : u));
      const next = await ready(cluster, accounts, recreated, asStored(first.secret), true);
      expect(next.identities.users.sensor!.creds!.content).not.toBe(
        first.identities.users.sensor!.creds!.content,
      );
      expect(next.identities.users.sensor!.ownerUid).toBe('a-new-uid');
      expect(next.identities.users.dashboard).toEqual(first.identities.users.dashboard);
    });

    test("an account re-created under its name gets a key of its own, and its users' creds are re-signed by it", async () => {
      const first = await ready(cluster, accounts, users, undefined, false);
      const taken = accounts.map((a) => (a.metadata.name === 'telemetry' ? withUid(a, 'newcomer') : a));
      const next = await ready(cluster, taken, users, asStored(first.secret), true);
      const newKey = pubOf(next.secret, 'telemetry');
      expect(newKey).not.toBe(pubOf(first.secret, 'telemetry'));
      expect(pubOf(next.secret, 'analytics')).toBe(pubOf(first.secret, 'analytics'));
      const creds = await parseCreds(new TextEncoder().encode(next.identities.users.sensor!.creds!.content));
      expect(creds.uc.iss).toBe(newKey);
    });

    test('keys stored before the binding existed are adopted, never regenerated', async () => {
      const legacy = await ready(cluster, members.accounts, members.users, undefined, false);
      const adopted = await ready(cluster, accounts, users, asStored(legacy.secret), true);
      expect(pubOf(adopted.secret, 'telemetry')).toBe(pubOf(legacy.secret, 'telemetry'));
      const owners = JSON.parse(
        Buffer.from(asStored(adopted.secret).data['account-owners.json']!, 'base64').toString(),
      ) as Record<string, string>;
      expect(owners.telemetry).toBe(accounts.find((a) => a.metadata.name === 'telemetry')!.metadata.uid);
      const sensor = adopted.identities.users.sensor!;
      expect(sensor.creds).toEqual(legacy.identities.users.sensor!.creds);
      expect(sensor.ownerUid).toBe(users.find((u) => u.metadata.name === 'sensor')!.metadata.uid);
    });
  });

  describe("a user's secret half lives only in its own Secret", () => {
    const tenants = loadExample('config-accounts');
    const config = tenants.clusters[0]!;
    const tenantMembers = membersOf(config, tenants.accounts, tenants.users);
    const withUid = <T extends { metadata: object }>(doc: T, uid: string): T => ({
      ...doc,
      metadata: { ...doc.metadata, uid },
    });
    const users = tenantMembers.users.map((u) => withUid(u, `uid-${u.metadata.name}`));
    const jwtUsers = members.users.map((u) => withUid(u, `uid-${u.metadata.name}`));
    type Args = Parameters<typeof ensureIdentities>;
    const run = async (...args: Args) => {
      const outcome = await ensureIdentities(...args);
      if (outcome.kind !== 'ready') throw new Error('expected identities');
      return outcome;
    };
    const entries = (secret: object | undefined) =>
      Object.fromEntries(
        Object.entries(asStored(secret).data)
          .filter(([k]) => k.startsWith('user.'))
          .map(([k, v]) => [k, JSON.parse(Buffer.from(v, 'base64').toString())]),
      );
    /** The users' Secrets as the cluster controller writes them from rendered identities. */
    const secretsFrom =
      (identities: { users: Record<string, any> }) =>
      async (user: { metadata: { name: string } }): Promise<Record<string, string> | undefined> => {
        const c = identities.users[user.metadata.name];
        if (c?.password) return { password: c.password.plaintext, username: 'x' };
        if (c?.nkey) return { 'nkey.seed': c.nkey.seed };
        if (c?.creds) return { 'user.creds': c.creds.content };
        return undefined;
      };
    const secretHalves = /"(plaintext|seed|content)"/;

    test('kept whole until the Secret holds it, then stripped to the public half, and read back whole', async () => {
      const first = await run(config, tenantMembers.accounts, users, undefined, false, noUserSecrets);
      expect(JSON.stringify(entries(first.secret))).toMatch(secretHalves);
      const handed = await run(
        config,
        tenantMembers.accounts,
        users,
        asStored(first.secret),
        true,
        secretsFrom(first.identities),
      );
      expect(JSON.stringify(entries(handed.secret))).not.toMatch(secretHalves);
      expect(JSON.stringify(entries(handed.secret))).toMatch(/bcryptHash|publicKey/);
      expect(handed.identities.users).toEqual(first.identities.users);
      // Nothing more to write once stripped.
      const again = await run(
        config,
        tenantMembers.accounts,
        users,
        asStored(handed.secret),
        true,
        secretsFrom(first.identities),
      );
      expect(again.secret).toBeUndefined();
      expect(again.identities.users).toEqual(first.identities.users);
    });

    test('a lost Secret rotates the user: a new credential, the old public key retired; the others keep theirs', async () => {
      const first = await run(cluster, members.accounts, jwtUsers, undefined, false, noUserSecrets);
      const handed = await run(
        cluster,
        members.accounts,
        jwtUsers,
        asStored(first.secret),
        true,
        secretsFrom(first.identities),
      );
      const lostSensor = async (user: { metadata: { name: string } }) =>
        user.metadata.name === 'sensor' ? undefined : secretsFrom(first.identities)(user);
      const rotated = await run(
        cluster,
        members.accounts,
        jwtUsers,
        asStored(handed.secret),
        true,
        lostSensor,
      );
      const before = first.identities.users.sensor!.creds!;
      const after = rotated.identities.users.sensor as { creds: { publicKey: string }; retired?: string[] };
      expect(after.creds.publicKey).not.toBe(before.publicKey);
      expect(after.retired).toEqual([before.publicKey]);
      expect(rotated.identities.users.dashboard).toEqual(first.identities.users.dashboard);
    });

    test('a Secret holding another key than the servers know is not taken for the credential', async () => {
      const first = await run(cluster, members.accounts, jwtUsers, undefined, false, noUserSecrets);
      const handed = await run(
        cluster,
        members.accounts,
        jwtUsers,
        asStored(first.secret),
        true,
        secretsFrom(first.identities),
      );
      const forged = async (user: { metadata: { name: string } }) =>
        user.metadata.name === 'sensor'
          ? { 'user.creds': first.identities.users.dashboard!.creds!.content }
          : secretsFrom(first.identities)(user);
      const next = await run(cluster, members.accounts, jwtUsers, asStored(handed.secret), true, forged);
      expect(next.identities.users.sensor!.creds!.content).not.toBe(
        first.identities.users.dashboard!.creds!.content,
      );
      expect(next.identities.users.sensor!.creds!.publicKey).not.toBe(
        first.identities.users.sensor!.creds!.publicKey,
      );
    });
  });

  test('a cluster with a status but nothing handed out yet gets its identities', async () => {
    // It waited Degraded (InvalidSpec) for a NatsAccount that arrived later: that wrote its status.
    const waited = { ...cluster, status: { observedGeneration: 1 } };
    const outcome = await ensureIdentities(
      waited,
      members.accounts,
      members.users,
      undefined,
      false,
      noUserSecrets,
    );
    expect(outcome).toMatchObject({ kind: 'ready' });
    expect(outcome.kind === 'ready' && outcome.secret).toBeDefined();
  });
});
