import { describe, expect, test } from '@jest/globals';
import { claimsKey, planDistribution, planFromStored } from './distribution.ts';

// Only the claims matter here (decoded, never verified); the signature part is a placeholder.
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const sign = async (conn: number, iat: number) =>
  [
    b64({ typ: 'JWT', alg: 'ed25519-nkey' }),
    b64({ jti: `J${iat}`, iat, iss: 'OPERATOR', name: 'orders', sub: 'ACCOUNT', nats: { limits: { conn } } }),
    'signature',
  ].join('.');

describe('planDistribution', () => {
  const v1 = sign(10, 1_000);
  const v1again = sign(10, 2_000);
  const v2 = sign(20, 3_000);

  test('two signings of one spec have the same claims key; a changed limit does not', async () => {
    expect(claimsKey(await v1)).toBe(claimsKey(await v1again));
    expect(claimsKey(await v1)).not.toBe(claimsKey(await v2));
    expect(claimsKey('not a jwt')).toBeUndefined();
  });

  test('no server holds the spec: nothing is current, every server is behind (sign a new one)', async () => {
    const plan = planDistribution(claimsKey(await v2)!, [
      { server: 'a', serverId: 'A', jwt: await v1 },
      { server: 'b', serverId: 'B' },
    ]);
    expect(plan).toEqual({ holding: [], behind: ['a', 'b'] });
  });

  test('the newest matching JWT is current; servers with an older one or none are behind', async () => {
    const wanted = claimsKey(await v1)!;
    const plan = planDistribution(wanted, [
      { server: 'a', serverId: 'A', jwt: await v1 },
      { server: 'b', serverId: 'B', jwt: await v1again },
      { server: 'c', serverId: 'C' },
      { server: 'd', serverId: 'D', jwt: await v2 },
    ]);
    expect(plan.current).toBe(await v1again);
    expect(plan.holding).toEqual(['b']);
    expect(plan.behind).toEqual(['a', 'c', 'd']);
  });

  test('an expiring JWT is current until half its lifetime, then a new one is signed; a changed lifetime differs', () => {
    const expiring = (iat: number, lifetime: number) =>
      [
        b64({ typ: 'JWT', alg: 'ed25519-nkey' }),
        b64({ jti: `J${iat}`, iat, exp: iat + lifetime, iss: 'O', name: 'orders', sub: 'A', nats: {} }),
        'signature',
      ].join('.');
    const held = expiring(10_000, 3_600);
    expect(claimsKey(held)).toBe(claimsKey(expiring(20_000, 3_600)));
    expect(claimsKey(held)).not.toBe(claimsKey(expiring(10_000, 7_200)));
    const servers = [{ server: 'a', serverId: 'A', jwt: held }];
    expect(planDistribution(claimsKey(held)!, servers, 11_799).current).toBe(held);
    expect(planDistribution(claimsKey(held)!, servers, 11_800)).toEqual({ holding: [], behind: ['a'] });
  });
});

describe('planFromStored', () => {
  const servers = ['nats-0', 'nats-1', 'nats-2'];

  test('every server holds one current JWT: held, no further question', async () => {
    const v1 = await sign(10, 1_000);
    expect(planFromStored(claimsKey(v1)!, [v1, v1, v1], servers)).toEqual({
      current: v1,
      holding: servers,
      behind: [],
    });
  });

  test('no server holds the spec (nothing stored, or an older limit): every server is behind', async () => {
    const wanted = claimsKey(await sign(20, 3_000))!;
    expect(planFromStored(wanted, [], servers)).toEqual({ holding: [], behind: servers });
    expect(planFromStored(wanted, [await sign(10, 1_000)], servers)).toEqual({
      holding: [],
      behind: servers,
    });
  });

  test('some hold it and some do not, or two signings of it: which server holds what must be asked', async () => {
    const v1 = await sign(10, 1_000);
    const wanted = claimsKey(v1)!;
    expect(planFromStored(wanted, [v1, v1], servers)).toBeUndefined();
    expect(planFromStored(wanted, [v1, v1, await sign(20, 3_000)], servers)).toBeUndefined();
    expect(planFromStored(wanted, [v1, v1, await sign(10, 2_000)], servers)).toBeUndefined();
  });
});
