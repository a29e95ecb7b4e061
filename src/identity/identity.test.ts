// Identities come from the official NATS libraries; these tests check what a server will check.
import { describe, expect, test } from '@jest/globals';
import { decode, parseCreds } from '@nats-io/jwt';
import { loadExample } from '../../test/fixtures/examples.ts';
import { membersOf } from '../render/index.ts';
import { generateIdentities } from './generate-identities.ts';
import { newAccountKey, newUserKey, userCreds } from './jwt.ts';
import { hashPassword, passwordMatches } from './password-hash.ts';
import { generatePassword } from './secrets.ts';

describe('passwords', () => {
  test('are long, random and URL-safe', () => {
    const a = generatePassword();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(generatePassword()).not.toBe(a);
  });
  test('bcrypt hashes verify, and only for the right password', () => {
    const hash = hashPassword('s3cret', 4);
    expect(hash).toMatch(/^\$2[aby]\$04\$/);
    expect(passwordMatches('s3cret', hash)).toBe(true);
    expect(passwordMatches('wrong', hash)).toBe(false);
  });
});

describe('user JWT permissions', () => {
  test('allowResponses.expires becomes the response window in nanoseconds, never 0 (no limit)', async () => {
    const account = newAccountKey();
    const creds = userCreds(account, newUserKey(), 'u', {
      accountRef: { name: 'a' },
      authType: 'Creds',
      permissions: { allowResponses: { maxMsgs: 2, expires: '1m' } },
    });
    const parsed = await parseCreds(new TextEncoder().encode(creds));
    expect((parsed.uc.nats as { resp?: unknown }).resp).toEqual({ max: 2, ttl: 60_000_000_000 });
  });
});

describe('JWT-mode identities', () => {
  const docs = loadExample('jwt-operator');
  const cluster = docs.clusters[0]!;
  const members = membersOf(cluster, docs.accounts, docs.users);

  test('operator, system account, accounts and users chain correctly', async () => {
    const { identities, jwtKeys } = await generateIdentities(cluster, members.accounts, members.users);
    const jwt = identities.jwt!;
    const operator = decode<{ system_account: string; signing_keys: string[] }>(jwt.operatorJwt);
    expect(operator.sub).toMatch(/^O/);
    expect(operator.nats.system_account).toBe(jwt.systemAccountPublicKey);
    expect(decode(jwt.systemAccountJwt).iss).toBe(operator.sub);
    // Tenant accounts are signed by the operator's signing key, which its JWT lists; not its identity.
    const telemetry = decode<{ exports: { subject: string }[] }>(jwt.accounts.telemetry!.jwt!);
    expect(operator.nats.signing_keys).toEqual([jwtKeys!.operatorSigning.publicKey]);
    expect(telemetry.iss).toBe(jwtKeys!.operatorSigning.publicKey);
    expect(telemetry.iss).not.toBe(operator.sub);
    expect(telemetry.nats.exports?.[0]?.subject).toBe('metrics.>');
    const analytics = decode<{ imports: { account: string; local_subject: string }[] }>(
      jwt.accounts.analytics!.jwt!,
    );
    expect(analytics.nats.imports?.[0]).toMatchObject({
      account: jwt.accounts.telemetry!.publicKey,
      local_subject: 'telemetry.metrics.>',
    });
    const creds = await parseCreds(new TextEncoder().encode(identities.users.sensor!.creds!.content));
    expect(creds.uc.iss).toBe(jwt.accounts.telemetry!.publicKey);
    expect(creds.key).toMatch(/^SU/);
    expect(jwtKeys?.operator.seed).toMatch(/^SO/);
  });
});

describe('Config-mode identities', () => {
  test('nkey users get a seed and its public key; password users a hash of their password', async () => {
    const docs = loadExample('config-accounts');
    const cluster = docs.clusters[0]!;
    const members = membersOf(cluster, docs.accounts, docs.users);
    const { identities } = await generateIdentities(cluster, members.accounts, members.users);
    expect(identities.users['order-service']!.nkey!.seed).toMatch(/^SU/);
    expect(identities.users['order-service']!.nkey!.publicKey).toMatch(/^U/);
    const password = identities.users['billing-app']!.password!;
    expect(passwordMatches(password.plaintext, password.bcryptHash)).toBe(true);
    expect(identities.jwt).toBeUndefined();
  });
});
