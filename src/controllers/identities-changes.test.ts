import { IdentitiesChanges } from './identities-changes.ts';

const b64 = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64');
const data = (accounts: Record<string, string>, extra: Record<string, string> = {}) => ({
  'accounts.json': b64(
    Object.fromEntries(Object.entries(accounts).map(([n, pub]) => [n, { publicKey: pub }])),
  ),
  'account-seeds.json': b64(
    Object.fromEntries(Object.entries(accounts).map(([n, pub]) => [n, `seed-${pub}`])),
  ),
  'operator-signing.seed': b64('SO-signing'),
  ...extra,
});

describe('IdentitiesChanges', () => {
  test('the first sight and a deleted Secret concern everything', () => {
    const changes = new IdentitiesChanges();
    expect(changes.changed('ns/c-identities', data({ a: 'A1' }))).toEqual({ all: true });
    expect(changes.changed('ns/c-identities', undefined)).toEqual({ all: true });
  });

  test('a new account concerns only that account', () => {
    const changes = new IdentitiesChanges();
    changes.changed('ns/c-identities', data({ a: 'A1', b: 'B1' }));
    expect(changes.changed('ns/c-identities', data({ a: 'A1', b: 'B1', c: 'C1' }))).toEqual({
      all: false,
      accounts: new Set(['c']),
      users: new Set(),
    });
  });

  test('a re-keyed account and a changed user entry are named; an unchanged Secret names nothing', () => {
    const changes = new IdentitiesChanges();
    changes.changed('ns/c-identities', data({ a: 'A1', b: 'B1' }, { 'user.u1.json': b64({ x: 1 }) }));
    expect(
      changes.changed('ns/c-identities', data({ a: 'A2', b: 'B1' }, { 'user.u1.json': b64({ x: 2 }) })),
    ).toEqual({ all: false, accounts: new Set(['a']), users: new Set(['u1']) });
    expect(
      changes.changed('ns/c-identities', data({ a: 'A2', b: 'B1' }, { 'user.u1.json': b64({ x: 2 }) })),
    ).toEqual({ all: false, accounts: new Set(), users: new Set() });
  });

  test('a cluster-wide key changing concerns everything; Secrets are told apart by key', () => {
    const changes = new IdentitiesChanges();
    changes.changed('ns/c-identities', data({ a: 'A1' }));
    changes.changed('ns/d-identities', data({ a: 'A1' }));
    expect(
      changes.changed('ns/c-identities', data({ a: 'A1' }, { 'operator-signing.seed': b64('SO-new') })),
    ).toEqual({ all: true });
    expect(changes.changed('ns/d-identities', data({ a: 'A1' }))).toEqual({
      all: false,
      accounts: new Set(),
      users: new Set(),
    });
  });
});
