// The hostile table offline: each admission entry is refused by the schema check naming its field;
// each degraded entry passes the schema, and rendered beside its example is the one resource left
// out, for its reason and naming its field, while the other tenants' auth config stays byte-identical.
import { beforeAll, describe, expect, test } from '@jest/globals';
import { validateResource } from '../../src/api/index.ts';
import type { NatsAccount, NatsUser } from '../../src/api/index.ts';
import type { Documents } from '../../src/cli/documents.ts';
import { generateIdentities } from '../../src/identity/generate-identities.ts';
import { renderAuthConf } from '../../src/render/auth-conf.ts';
import { membersOf, type ClusterIdentities } from '../../src/render/index.ts';
import { loadExample } from '../fixtures/examples.ts';
import { HOSTILE, isAdmission, type HostileEntry, type Target } from './table.ts';

const EXAMPLE_OF: Record<Target, string> = {
  tenants: 'config-accounts',
  mapped: 'mtls-verify-and-map',
  jwt: 'jwt-operator',
};

interface Bed {
  docs: Documents;
  identities: ClusterIdentities;
  /** The auth config rendered with the example alone. */
  baseline: string;
}
const beds = new Map<Target, Bed>();

/** The example's resources are older than anything a hostile tenant adds. */
const older = <T extends NatsAccount | NatsUser>(r: T): T => ({
  ...r,
  metadata: { ...r.metadata, uid: `uid-${r.metadata.name}`, creationTimestamp: '2026-01-01T00:00:00Z' },
});

beforeAll(async () => {
  for (const target of Object.keys(EXAMPLE_OF) as Target[]) {
    const loaded = loadExample(EXAMPLE_OF[target]);
    const docs = { ...loaded, accounts: loaded.accounts.map(older), users: loaded.users.map(older) };
    const cluster = docs.clusters[0]!;
    const members = membersOf(cluster, docs.accounts, docs.users);
    expect(members.excluded).toEqual([]);
    const { identities } = await generateIdentities(cluster, members.accounts, members.users);
    beds.set(target, {
      docs,
      identities,
      baseline: renderAuthConf(cluster, members.accounts, members.users, identities),
    });
  }
}, 60_000);

const admissionEntries = HOSTILE.filter((e) => isAdmission(e.outcome));
const degradedEntries = HOSTILE.filter((e) => !isAdmission(e.outcome));
const cases = (entries: HostileEntry[]) => entries.map((e) => [e.name, e] as const);

test('the table holds at least 100 distinct entries with unique resource names', () => {
  expect(HOSTILE.length).toBeGreaterThanOrEqual(100);
  expect(new Set(HOSTILE.map((e) => e.name)).size).toBe(HOSTILE.length);
  expect(new Set(HOSTILE.map((e) => `${e.doc.kind}/${e.doc.metadata.name}`)).size).toBe(HOSTILE.length);
  expect(new Set(HOSTILE.map((e) => JSON.stringify(e.doc.spec))).size).toBe(HOSTILE.length);
});

describe('refused at admission naming the field', () => {
  test.each(cases(admissionEntries))('%s', (_name, entry) => {
    const result = validateResource(entry.doc);
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors.map((e) => e.path)).toContain((entry.outcome as { admission: string }).admission);
    for (const e of errors) expect(e.message.length).toBeGreaterThan(5);
  });
});

describe('admitted, then left out and Degraded naming the field; nobody else changes', () => {
  test.each(cases(degradedEntries))('%s', (_name, entry) => {
    const { reason, field } = (entry.outcome as { degraded: { reason: string; field: string } }).degraded;
    const result = validateResource({ ...entry.doc, metadata: { ...entry.doc.metadata, namespace: 'demo' } });
    expect(result.ok ? [] : result.errors).toEqual([]);
    if (!result.ok) return;
    const hostile = {
      ...result.value,
      metadata: { ...result.value.metadata, uid: 'uid-hostile', creationTimestamp: '2026-06-01T00:00:00Z' },
    } as unknown as NatsAccount | NatsUser;
    const bed = beds.get(entry.target)!;
    const cluster = bed.docs.clusters[0]!;
    const accounts = hostile.kind === 'NatsAccount' ? [...bed.docs.accounts, hostile] : bed.docs.accounts;
    const users = hostile.kind === 'NatsUser' ? [...bed.docs.users, hostile] : bed.docs.users;
    const members = membersOf(cluster, accounts, users);

    expect(members.excluded).toEqual([
      { kind: hostile.kind, name: hostile.metadata.name, reason, message: expect.stringMatching(/.+/) },
    ]);
    expect(members.excluded[0]!.message.startsWith(`${field}:`)).toBe(true);
    expect(renderAuthConf(cluster, members.accounts, members.users, bed.identities)).toBe(bed.baseline);
  });
});
