import { describe, expect, test } from '@jest/globals';
import type { V1Secret } from '@kubernetes/client-node';
import { validateResource, type NatsCluster, type NatsUser } from '../api/index.ts';
import { PUBLIC_KEY_ANNOTATION, SIGNED_GENERATION_ANNOTATION } from './natsuser/plan.ts';
import { statusWrittenByUserController, userReadiness, type ReadinessInput } from './user-status.ts';
import type { UserLoading } from './natscluster/user-loading.ts';

const valid = <T>(doc: object): T => {
  const checked = validateResource(doc);
  if (!checked.ok) throw new Error(JSON.stringify(checked));
  return checked.value as T;
};
const cluster = (mode: 'JWT' | 'Config', client: object = {}): NatsCluster =>
  valid({
    apiVersion: 'natswarden.io/v1alpha1',
    kind: 'NatsCluster',
    metadata: { name: 'c', namespace: 'n' },
    spec: { auth: { mode }, tls: { client } },
  });
const user = (authType: string): NatsUser =>
  valid({
    apiVersion: 'natswarden.io/v1alpha1',
    kind: 'NatsUser',
    metadata: { name: 'app', namespace: 'n', uid: 'uid-app', generation: 2 },
    spec: { accountRef: { name: 'orders' }, authType },
  });
const secret = (ownerUid: string, annotations: Record<string, string> = {}): V1Secret => ({
  metadata: { name: 'app-nats-credentials', ownerReferences: [{ uid: ownerUid } as never], annotations },
});
const signed = (generation: string) => ({
  [PUBLIC_KEY_ANNOTATION]: 'UABC',
  [SIGNED_GENERATION_ANNOTATION]: generation,
});

describe('statusWrittenByUserController', () => {
  test.each<[string, NatsCluster, string, boolean]>([
    ['a JWT-mode Creds user, no client certificates', cluster('JWT', { verify: false }), 'Creds', true],
    [
      'a Creds user of a cluster that verifies client certificates',
      cluster('JWT', { verify: true }),
      'Creds',
      false,
    ],
    [
      'a Creds user of a cluster that maps client certificates',
      cluster('JWT', { verifyAndMap: true }),
      'Creds',
      false,
    ],
    ['a Config-mode password user', cluster('Config'), 'Password', false],
    ['a Config-mode NKey user', cluster('Config'), 'NKey', false],
    ['a certificate user', cluster('Config'), 'Certificate', false],
  ])('%s: %s', (_, c, authType, expected) => {
    expect(statusWrittenByUserController(c, user(authType))).toBe(expected);
  });
});

describe('userReadiness', () => {
  const jwt = (over: Partial<ReadinessInput>): ReadinessInput => ({
    cluster: cluster('JWT', { verify: false }),
    user: user('Creds'),
    secret: undefined,
    certificate: undefined,
    loading: undefined,
    ...over,
  });
  const loads = (loaded: number): UserLoading => ({
    replicas: 3,
    loads: new Map([['app', { loaded, answered: 3 }]]),
  });
  test.each<[string, ReadinessInput, boolean, string]>([
    ['no Secret yet', jwt({}), false, 'SecretPending'],
    [
      "another resource's Secret of that name",
      jwt({ secret: secret('uid-other', signed('2')) }),
      false,
      'SecretConflict',
    ],
    ['its Secret, not signed yet', jwt({ secret: secret('uid-app') }), false, 'SecretPending'],
    [
      'its Secret, signed for an earlier generation',
      jwt({ secret: secret('uid-app', signed('1')) }),
      false,
      'SigningPending',
    ],
    [
      'its Secret, signed for this generation',
      jwt({ secret: secret('uid-app', signed('2')) }),
      true,
      'CredentialsReady',
    ],
    [
      'signed, its client certificate not issued',
      jwt({ secret: secret('uid-app', signed('2')), certificate: { issued: false } }),
      false,
      'CertificatePending',
    ],
    [
      'Config mode, monitoring off',
      jwt({
        cluster: cluster('Config'),
        user: user('Password'),
        secret: secret('uid-app'),
        loading: 'unconfirmed',
      }),
      true,
      'Configured',
    ],
    [
      'Config mode, loaded by every server',
      jwt({
        cluster: cluster('Config'),
        user: user('Password'),
        secret: secret('uid-app'),
        loading: loads(3),
      }),
      true,
      'Loaded',
    ],
    [
      'Config mode, loaded by some servers',
      jwt({
        cluster: cluster('Config'),
        user: user('Password'),
        secret: secret('uid-app'),
        loading: loads(2),
      }),
      false,
      'Loading',
    ],
  ])('%s', (_, input, ok, reason) => {
    const ready = userReadiness(input);
    expect([ready.ok, ready.reason]).toEqual([ok, reason]);
    expect(ready.message).not.toMatch(/UABC/); // names and reasons only, never a key
  });
});
