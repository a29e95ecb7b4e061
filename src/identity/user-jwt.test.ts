import { afterEach, describe, expect, jest, test } from '@jest/globals';
import { decode, encodeUser, type User } from '@nats-io/jwt';
import { createAccount, createUser } from '@nats-io/nkeys';
import { nativeKeyPair } from './native-signer.ts';
import { encodeUserJwt } from './user-jwt.ts';

const text = new TextDecoder();

const cases: [string, Partial<User>, { exp?: number }][] = [
  ['no claims', {}, {}],
  ['limits', { subs: 10, payload: 1024, data: -1 }, {}],
  [
    'permissions, responses and connection types',
    {
      pub: { allow: ['orders.>'], deny: ['orders.secret'] },
      sub: { allow: ['_INBOX.>'], deny: [] },
      resp: { max: 1, ttl: 5e9 },
      allowed_connection_types: ['STANDARD', 'WEBSOCKET'],
    },
    {},
  ],
  ['an expiry', { subs: -1 }, { exp: 1_900_000_000 }],
];

describe('encodeUserJwt', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  test.each(cases)('gives the same token as @nats-io/jwt encodeUser: %s', async (_name, claims, opts) => {
    jest.useFakeTimers({ now: new Date('2026-12-03T06:00:00Z'), doNotFake: ['queueMicrotask', 'nextTick'] });
    const account = createAccount();
    const user = createUser();
    const official = await encodeUser('app', user.getPublicKey(), account, structuredClone(claims), opts);
    const ours = encodeUserJwt(
      'app',
      user.getPublicKey(),
      nativeKeyPair(text.decode(account.getSeed())),
      claims,
      opts,
    );
    expect(ours).toBe(official);
    expect(decode(ours)).toMatchObject({ sub: user.getPublicKey(), iss: account.getPublicKey() });
  });

  test('refuses a subject that is not a user key and a signer that is not an account key', () => {
    const account = nativeKeyPair(text.decode(createAccount().getSeed()));
    const user = nativeKeyPair(text.decode(createUser().getSeed()));
    expect(() => encodeUserJwt('x', account.getPublicKey(), account, {})).toThrow(/not a user key/);
    expect(() => encodeUserJwt('x', user.getPublicKey(), user, {})).toThrow(/not an account key/);
  });
});
