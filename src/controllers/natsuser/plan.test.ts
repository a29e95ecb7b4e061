import { describe, expect, test } from '@jest/globals';
import type { NatsUser } from '../../api/index.ts';
import { newAccountKey } from '../../identity/jwt.ts';
import { parseCreds, planUserCredentials, type UserCredentialInputs } from './plan.ts';

const user = (spec: Partial<NatsUser['spec']> = {}): NatsUser => ({
  apiVersion: 'natswarden.io/v1alpha1',
  kind: 'NatsUser',
  metadata: { name: 'app', namespace: 'team', uid: 'uid-app' },
  spec: { accountRef: { name: 'orders' }, authType: 'Creds', ...spec },
});
const account = newAccountKey();
const now = Math.floor(Date.now() / 1000);
const inputs = (over: Partial<UserCredentialInputs> = {}): UserCredentialInputs => ({
  user: user(),
  account,
  secret: undefined,
  knownKey: undefined,
  legacyCreds: undefined,
  retired: [],
  nowSeconds: now,
  ...over,
});
const secretOf = (creds: string) => ({ data: { 'user.creds': creds }, annotations: {} });
const first = () => {
  const plan = planUserCredentials(inputs());
  if (!plan.write) throw new Error('a new user is written');
  return plan;
};

describe('planUserCredentials', () => {
  test('a new user gets a key and a JWT signed by its account', () => {
    const plan = first();
    expect(plan.why).toBe('new');
    const parsed = parseCreds(plan.creds);
    expect(parsed?.publicKey).toBe(plan.publicKey);
    expect(parsed?.claims.iss).toBe(account.publicKey);
    expect(plan.retired).toEqual([]);
  });

  test('a Secret that says what the spec wants is left alone', () => {
    const { creds, publicKey } = first();
    const plan = planUserCredentials(inputs({ secret: secretOf(creds), knownKey: publicKey }));
    expect(plan).toEqual({ write: false, publicKey, retired: [] });
  });

  test('changed permissions and connection types are signed again with the same key', () => {
    const { creds, publicKey } = first();
    const changed = user({
      permissions: { publish: { allow: ['orders.>'] } },
      allowedConnectionTypes: ['STANDARD'],
    });
    const plan = planUserCredentials(inputs({ user: changed, secret: secretOf(creds), knownKey: publicKey }));
    expect(plan).toMatchObject({ write: true, why: 'resigned', publicKey });
    const claims = parseCreds(plan.write ? plan.creds : '')?.claims;
    expect(claims?.nats?.pub?.allow).toEqual(['orders.>']);
    expect(claims?.nats?.allowed_connection_types).toEqual(['STANDARD']);
  });

  test('a new account key re-signs the user with it, keeping the user key', () => {
    const { creds, publicKey } = first();
    const other = newAccountKey();
    const plan = planUserCredentials(
      inputs({ account: other, secret: secretOf(creds), knownKey: publicKey }),
    );
    expect(plan).toMatchObject({ write: true, why: 'resigned', publicKey });
    expect(parseCreds(plan.write ? plan.creds : '')?.claims.iss).toBe(other.publicKey);
  });

  test('a lost Secret rotates the user and retires the key it had', () => {
    const { publicKey } = first();
    const plan = planUserCredentials(inputs({ knownKey: publicKey, retired: ['UOLDER'] }));
    expect(plan).toMatchObject({ write: true, why: 'rotated' });
    expect(plan.publicKey).not.toBe(publicKey);
    expect(plan.retired).toEqual(['UOLDER', publicKey]);
  });

  test('a Secret whose creds file is garbage counts as lost', () => {
    const { publicKey } = first();
    const plan = planUserCredentials(inputs({ secret: secretOf('not creds'), knownKey: publicKey }));
    expect(plan).toMatchObject({ write: true, why: 'rotated', retired: [publicKey] });
  });

  test("an older operator's stored creds are adopted when they are the known key, else rotated", () => {
    const legacy = first();
    const adopted = planUserCredentials(inputs({ legacyCreds: legacy.creds, knownKey: legacy.publicKey }));
    expect(adopted).toMatchObject({ write: true, why: 'adopted', publicKey: legacy.publicKey });
    const stranger = planUserCredentials(inputs({ legacyCreds: legacy.creds, knownKey: 'UOTHER' }));
    expect(stranger).toMatchObject({ write: true, why: 'rotated', retired: ['UOTHER'] });
  });

  test('an expiring JWT is signed again once half its lifetime has passed, and not before', () => {
    const expiring = user({ jwtExpiry: '2h' });
    const plan = planUserCredentials(inputs({ user: expiring }));
    if (!plan.write) throw new Error('written');
    const iat = parseCreds(plan.creds)?.claims.iat ?? 0;
    expect(plan.expiresAt).toBe(iat + 7200);
    const at = (seconds: number) =>
      planUserCredentials(
        inputs({
          user: expiring,
          secret: secretOf(plan.creds),
          knownKey: plan.publicKey,
          nowSeconds: iat + seconds,
        }),
      );
    expect(at(3599).write).toBe(false);
    expect(at(3600)).toMatchObject({ write: true, why: 'resigned', publicKey: plan.publicKey });
    // Expiry removed: signed again without one.
    const forever = planUserCredentials(inputs({ secret: secretOf(plan.creds), knownKey: plan.publicKey }));
    expect(forever.write && parseCreds(forever.creds)?.claims.exp).toBeUndefined();
  });
});
