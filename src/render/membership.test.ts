import { describe, expect, test } from '@jest/globals';
import type { NatsAccount, NatsUser } from '../api/index.ts';
import { loadExample } from '../../test/fixtures/examples.ts';
import {
  crossResourceProblems,
  loginsOf,
  membersOf,
  membershipProblems,
  subjectCovers,
} from './membership.ts';

const tenants = loadExample('config-accounts');
const mapped = loadExample('mtls-verify-and-map');
const [configCluster] = tenants.clusters;
const [mappedCluster] = mapped.clusters;

/** A copy of a resource under another name, created at `at` (ISO time). */
function copy<T extends NatsAccount | NatsUser>(
  r: T,
  name: string,
  at: string,
  spec: Partial<T['spec']> = {},
): T {
  return {
    ...r,
    metadata: { ...r.metadata, name, uid: `uid-${name}`, creationTimestamp: at } as T['metadata'],
    spec: { ...r.spec, ...spec },
  };
}
const aged = <T extends NatsAccount | NatsUser>(r: T, at: string): T => copy(r, r.metadata.name, at);
const names = (rs: { metadata: { name: string } }[]) => rs.map((r) => r.metadata.name).sort();

describe('membersOf', () => {
  test('every example keeps every member', () => {
    for (const docs of [tenants, mapped])
      expect(membersOf(docs.clusters[0]!, docs.accounts, docs.users).excluded).toEqual([]);
  });

  test('two accounts with one NATS name: the older keeps it, the newer is left out naming it', () => {
    const orders = tenants.accounts.find((a) => a.metadata.name === 'orders')!;
    const accounts = [
      ...tenants.accounts.map((a) => aged(a, '2026-01-01T00:00:00Z')),
      copy(orders, 'orders-clone', '2026-02-01T00:00:00Z', { accountName: 'orders', exports: [] }),
    ];
    const members = membersOf(configCluster!, accounts, tenants.users);
    expect(names(members.accounts)).toEqual(['billing', 'orders', 'system']);
    expect(members.excluded).toEqual([
      {
        kind: 'NatsAccount',
        name: 'orders-clone',
        reason: 'NameConflict',
        message:
          'spec.accountName: NATS account name "orders" already belongs to NatsAccount orders, which is older',
      },
    ]);
  });

  test('the order of the list does not matter: age decides, then UID', () => {
    const orders = tenants.accounts.find((a) => a.metadata.name === 'orders')!;
    const early = copy(orders, 'zz-early', '2025-01-01T00:00:00Z', { accountName: 'orders', exports: [] });
    const late = copy(orders, 'orders', '2026-01-01T00:00:00Z', { exports: [] });
    for (const list of [
      [early, late],
      [late, early],
    ])
      expect(membersOf(configCluster!, list, []).excluded.map((e) => e.name)).toEqual(['orders']);
  });

  test('reserved names are refused, except the system account the cluster names', () => {
    const billing = tenants.accounts.find((a) => a.metadata.name === 'billing')!;
    const accounts = [
      ...tenants.accounts,
      copy(billing, 'sneaky', '2026-01-01T00:00:00Z', { accountName: '$G', imports: [] }),
      copy(billing, 'sneaky2', '2026-01-01T00:00:00Z', { accountName: '$SYS', imports: [] }),
    ];
    const members = membersOf(configCluster!, accounts, tenants.users);
    expect(members.excluded.map((e) => `${e.name}:${e.reason}`)).toEqual([
      'sneaky:ReservedName',
      'sneaky2:ReservedName',
    ]);
    expect(names(members.accounts)).toContain('system'); // accountName SYS, named by spec.auth.systemAccount
  });

  test('an import from an account left out leaves the importer out, and its users with it', () => {
    const accounts = tenants.accounts.filter((a) => a.metadata.name !== 'orders');
    const members = membersOf(configCluster!, accounts, tenants.users);
    expect(membershipProblems(members)).toEqual([
      'NatsAccount billing spec.imports[0]: no account orders in this cluster',
      'NatsUser billing-app spec.accountRef.name: NatsAccount billing is left out of NatsCluster tenants (its status says why)',
    ]);
    expect(names(members.users)).toEqual(['monitor']); // order-service's account is missing altogether
  });

  test('a password user cannot take a username another account already has', () => {
    const billingApp = tenants.users.find((u) => u.metadata.name === 'billing-app')!;
    const thief = copy(billingApp, 'thief', '2030-01-01T00:00:00Z', { accountRef: { name: 'orders' } });
    const users = tenants.users.map((u) => aged(u, '2026-01-01T00:00:00Z'));
    const members = membersOf(configCluster!, tenants.accounts, [...users, thief]);
    expect(members.excluded).toEqual([
      {
        kind: 'NatsUser',
        name: 'thief',
        reason: 'NameConflict',
        message:
          'spec.username: login "billing" already belongs to NatsUser billing-app (account billing), which is older',
      },
    ]);
  });

  test('a certificate whose subject, CN or e-mail maps onto another user is left out (no hijack across accounts)', () => {
    const ledger = mapped.users.find((u) => u.metadata.name === 'ledger')!;
    const otherAccount = mapped.accounts[0]!;
    const attacks = [
      copy(ledger, 'cn-clash', '2030-01-01T00:00:00Z', {
        certificate: { ...ledger.spec.certificate!, commonName: 'auditor' },
      }),
      copy(ledger, 'mail-clash', '2030-01-01T00:00:00Z', {
        certificate: {
          ...ledger.spec.certificate!,
          commonName: 'x',
          emailAddresses: ['auditor@payments.example.com'],
        },
      }),
    ].map((u) => ({ ...u, spec: { ...u.spec, accountRef: { name: otherAccount.metadata.name } } }));
    const users = mapped.users.map((u) => aged(u, '2026-01-01T00:00:00Z'));
    const members = membersOf(mappedCluster!, mapped.accounts, [...users, ...attacks]);
    expect(members.excluded.map((e) => `${e.name}:${e.reason}`)).toEqual([
      'cn-clash:NameConflict',
      'mail-clash:NameConflict',
    ]);
    expect(members.excluded[0]!.message).toContain('login "CN=auditor" already belongs to NatsUser auditor');
    expect(names(members.users)).toEqual(['auditor', 'ledger']);
  });

  test('a user the cluster cannot serve is left out alone; the rest is kept', () => {
    const billingApp = tenants.users.find((u) => u.metadata.name === 'billing-app')!;
    const creds = copy(billingApp, 'wants-jwt', '2030-01-01T00:00:00Z', { authType: 'Creds' });
    const members = membersOf(configCluster!, tenants.accounts, [...tenants.users, creds]);
    expect(members.excluded.map((e) => e.message)).toEqual([
      'spec.authType: Creds needs auth.mode JWT; NatsCluster tenants uses Config',
    ]);
    expect(members.users).toHaveLength(tenants.users.length);
  });

  test('a password user is left out of a verifyAndMap cluster, an NKey user is not', () => {
    const ledger = mapped.users.find((u) => u.metadata.name === 'ledger')!;
    const password = copy(ledger, 'pw', '2030-01-01T00:00:00Z', {
      authType: 'Password',
      certificate: undefined,
    });
    const nkey = copy(ledger, 'nk', '2030-01-01T00:00:00Z', { authType: 'NKey', certificate: undefined });
    const members = membersOf(mappedCluster!, mapped.accounts, [...mapped.users, password, nkey]);
    expect(members.excluded.map((e) => `${e.name}:${e.reason}`)).toEqual(['pw:UnsupportedAuthType']);
    expect(members.excluded[0]!.message).toContain('maps every client by its certificate');
    expect(names(members.users)).toContain('nk');
  });

  test('fields the auth mode cannot honour leave the account out; restricted exports are honoured in both modes', () => {
    const billing = tenants.accounts.find((a) => a.metadata.name === 'billing')!;
    const dataLimited = copy(billing, 'data', '2030-01-01T00:00:00Z', {
      imports: [],
      limits: { maxData: '1Gi' },
    });
    expect(membersOf(configCluster!, [dataLimited], []).excluded[0]).toMatchObject({
      reason: 'UnsupportedField',
      message: expect.stringContaining('spec.limits.maxData: account data limits need auth.mode JWT'),
    });
    const jwt = loadExample('jwt-operator');
    const [jwtCluster] = jwt.clusters;
    const restricted = copy(jwt.accounts[0]!, 'restricted', '2030-01-01T00:00:00Z', {
      imports: [],
      exports: [{ stream: 'x.>', accounts: [jwt.accounts[1]!.metadata.name] }],
    });
    // Honoured in JWT mode with activation tokens (the NatsAccount controller issues them).
    const members = membersOf(jwtCluster!, [...jwt.accounts, restricted], jwt.users);
    expect(members.excluded).toEqual([]);
  });

  test('values nats-server cannot take leave the resource out, naming the field', () => {
    const billing = tenants.accounts.find((a) => a.metadata.name === 'billing')!;
    const huge = copy(billing, 'huge', '2030-01-01T00:00:00Z', {
      imports: [],
      limits: { maxPayload: '1Gi' },
    });
    expect(membersOf(configCluster!, [huge], []).excluded[0]).toMatchObject({
      reason: 'OutOfBounds',
      message: 'spec.limits.maxPayload: 1Gi is above the limit of 67108864 bytes',
    });
    const billingApp = tenants.users.find((u) => u.metadata.name === 'billing-app')!;
    const forever = copy(billingApp, 'forever', '2030-01-01T00:00:00Z', {
      permissions: { allowResponses: { maxMsgs: 1, expires: '9999999999h' } },
    });
    expect(membersOf(configCluster!, tenants.accounts, [forever]).excluded[0]).toMatchObject({
      reason: 'OutOfBounds',
      message: expect.stringContaining(
        'spec.permissions.allowResponses.expires: 9999999999h is longer than nats-server can express',
      ),
    });
  });

  test('resources of other namespaces or clusters are not members and not reported', () => {
    const foreign = tenants.accounts.map((a) => ({
      ...a,
      metadata: { ...a.metadata, namespace: 'elsewhere' },
    }));
    expect(membersOf(configCluster!, foreign, [])).toEqual({ accounts: [], users: [], excluded: [] });
  });
});

describe('loginsOf', () => {
  test('certificate users log in by subject, CN and every e-mail; key users by nothing another can claim', () => {
    const auditor = mapped.users.find((u) => u.metadata.name === 'auditor')!;
    expect(loginsOf(auditor).sort()).toEqual(['CN=auditor', 'auditor', 'auditor@payments.example.com']);
    expect(loginsOf(tenants.users.find((u) => u.spec.authType === 'NKey')!)).toEqual([]);
  });
});

describe('crossResourceProblems', () => {
  const minimal = loadExample('minimal-tls');
  const [cluster] = minimal.clusters;
  const open = /spec.auth: no NatsUser can log in and spec.tls.client.verify is false/;

  test('a Config-mode cluster no user can log in to, with no client certificates, is refused', () => {
    expect(crossResourceProblems(cluster!, membersOf(cluster!, minimal.accounts, [])).join()).toMatch(open);
    expect(crossResourceProblems(cluster!, membersOf(cluster!, minimal.accounts, minimal.users))).toEqual([]);
  });

  test('a payload above the pending limit or 64 MiB, or a duration beyond int64 nanoseconds, is refused', () => {
    const members = membersOf(cluster!, minimal.accounts, minimal.users);
    const withLimits = (limits: object) => ({
      ...cluster!,
      spec: { ...cluster!.spec, limits: { ...cluster!.spec.limits, ...limits } },
    });
    expect(crossResourceProblems(withLimits({ maxPayload: '8Mi', maxPending: '4Mi' }), members)).toEqual([
      'spec.limits.maxPayload: 8Mi is above spec.limits.maxPending (4Mi); nats-server refuses to start',
    ]);
    expect(crossResourceProblems(withLimits({ maxPayload: '128Mi', maxPending: '1Gi' }), members)).toEqual([
      'spec.limits.maxPayload: 128Mi is above the limit of 67108864 bytes',
    ]);
    expect(crossResourceProblems(withLimits({ pingInterval: '3000000h' }), members).join()).toContain(
      'spec.limits.pingInterval: 3000000h is longer than nats-server can express',
    );
    expect(crossResourceProblems(withLimits({ maxPayload: '8Mi', maxPending: '64Mi' }), members)).toEqual([]);
  });

  test('unless it asks for client certificates, or opts in by name', () => {
    const verified = {
      ...cluster!,
      spec: {
        ...cluster!.spec,
        tls: { ...cluster!.spec.tls, client: { ...cluster!.spec.tls.client, verify: true } },
      },
    };
    const optedIn = {
      ...cluster!,
      spec: { ...cluster!.spec, auth: { ...cluster!.spec.auth, allowUnauthenticatedClients: true } },
    };
    for (const c of [verified, optedIn])
      expect(crossResourceProblems(c, membersOf(c, minimal.accounts, []))).toEqual([]);
  });
});

describe('subjectCovers (an export pattern offers an import subject)', () => {
  test.each([
    ['orders.>', 'orders.events.created', true],
    ['orders.>', 'orders.>', true],
    ['orders.>', 'orders', false],
    ['orders.*', 'orders.lookup', true],
    ['orders.*', 'orders.*', true],
    ['orders.lookup', 'orders.*', false],
    ['orders.*', 'orders.a.b', false],
    ['orders.*', 'orders.>', false],
    ['orders.lookup', 'orders.lookup', true],
    ['orders.lookup', 'orders.lookups', false],
    ['>', 'anything.at.all', true],
  ])('%s covers %s: %s', (pattern, subject, covers) => {
    expect(subjectCovers(pattern, subject)).toBe(covers);
  });
});
