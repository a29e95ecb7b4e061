// Identities are generated once and only added to: the sequences a real cluster goes through.
import { describe, expect, test } from '@jest/globals';
import { decode, parseCreds } from '@nats-io/jwt';
import { loadExample } from '../../../test/fixtures/examples.ts';
import { membersOf } from '../../render/index.ts';
import { ensureIdentities } from './identities.ts';

const asStored = (secret: object | undefined) => secret as { data: Record<string, string> };

describe('ensureIdentities', () => {
  const docs = loadExample('jwt-operator');
  const cluster = docs.clusters[0]!;
  const members = membersOf(cluster, docs.accounts, docs.users);

  test('users that arrive after the operator identity are signed by their stored account key', async () => {
    const first = await ensureIdentities(cluster, members.accounts, [], undefined, false);
    if (first.kind !== 'ready') throw new Error('expected identities');
    const second = await ensureIdentities(
      cluster,
      members.accounts,
      members.users,
      asStored(first.secret),
      true,
    );
    if (second.kind !== 'ready') throw new Error('expected identities');
    expect(second.identities.jwt?.operatorJwt).toBe(first.identities.jwt?.operatorJwt);
    const creds = await parseCreds(new TextEncoder().encode(second.identities.users.sensor!.creds!.content));
    expect(creds.uc.iss).toBe(first.identities.jwt!.accounts.telemetry!.publicKey);
    expect(decode(first.identities.jwt!.accounts.telemetry!.jwt).sub).toBe(creds.uc.iss);
  });

  test('nothing is regenerated once stored', async () => {
    const first = await ensureIdentities(cluster, members.accounts, members.users, undefined, false);
    if (first.kind !== 'ready') throw new Error('expected identities');
    const again = await ensureIdentities(
      cluster,
      members.accounts,
      members.users,
      asStored(first.secret),
      true,
    );
    expect(again).toMatchObject({ kind: 'ready' });
    expect(again.kind === 'ready' && again.secret).toBeUndefined();
    expect(again.kind === 'ready' && again.identities.routePassword).toBe(first.identities.routePassword);
  });

  test('a lost identities Secret, once handed out, is reported, never silently regenerated', async () => {
    expect(await ensureIdentities(cluster, members.accounts, members.users, undefined, true)).toMatchObject({
      kind: 'lost',
    });
    const regenerate = {
      ...cluster,
      metadata: { ...cluster.metadata, annotations: { 'natswarden.io/regenerate-identities': 'true' } },
    };
    expect(
      await ensureIdentities(regenerate, members.accounts, members.users, undefined, true),
    ).toMatchObject({
      kind: 'ready',
    });
  });

  test('a cluster with a status but nothing handed out yet gets its identities', async () => {
    // It waited Degraded (InvalidSpec) for a NatsAccount that arrived later: that wrote its status.
    const waited = { ...cluster, status: { observedGeneration: 1 } };
    const outcome = await ensureIdentities(waited, members.accounts, members.users, undefined, false);
    expect(outcome).toMatchObject({ kind: 'ready' });
    expect(outcome.kind === 'ready' && outcome.secret).toBeDefined();
  });
});
