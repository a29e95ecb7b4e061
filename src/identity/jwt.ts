// JWT-mode identities with the official NATS libraries: the operator, the system account and its
// user, tenant accounts (exports, imports, limits, JetStream) and user creds.
import {
  encodeAccount,
  encodeActivation,
  encodeOperator,
  fmtCreds,
  type Account,
  type Export,
  type Import,
  type User,
} from '@nats-io/jwt';
import type { KeyPair } from '@nats-io/nkeys';
import type { NatsAccount, NatsUser, Permissions } from '../api/index.ts';
import { accountNameOf } from '../api/names.ts';
import { durationToSeconds, quantityToBytes } from '../render/units.ts';
import { createNativeKey, createNativeKeyPair, nativeKeyPair, NKEY_PREFIX } from './native-signer.ts';
import { encodeUserJwt } from './user-jwt.ts';

const text = new TextDecoder();
/** JWT limits use -1 for "no limit". */
const quantity = (q: string | undefined) => (q === undefined ? -1 : quantityToBytes(q));

export interface KeyIdentity {
  seed: string;
  publicKey: string;
}

export const identityOf = (kp: KeyPair): KeyIdentity => ({
  seed: text.decode(kp.getSeed()),
  publicKey: kp.getPublicKey(),
});
/** Signing goes through node:crypto (native-signer.ts); the formats stay @nats-io's. */
export const keyPairOf = (identity: KeyIdentity): KeyPair => nativeKeyPair(identity.seed);

export const newOperatorKey = () => identityOf(createNativeKeyPair(NKEY_PREFIX.Operator));
export const newAccountKey = () => identityOf(createNativeKeyPair(NKEY_PREFIX.Account));
export const newUserKey = (): KeyIdentity => createNativeKey(NKEY_PREFIX.User);

export async function operatorJwt(
  name: string,
  operator: KeyIdentity,
  systemAccountPublicKey: string,
  signingKeys: string[] = [],
): Promise<string> {
  return encodeOperator(name, keyPairOf(operator), {
    system_account: systemAccountPublicKey,
    ...(signingKeys.length ? { signing_keys: signingKeys } : {}),
  });
}

/** The system account: signed by the operator, with the limits nats-server expects of it. */
export async function systemAccountJwt(operator: KeyIdentity, account: KeyIdentity): Promise<string> {
  const claims: Partial<Account> = {
    limits: {
      subs: -1,
      data: -1,
      payload: -1,
      imports: -1,
      exports: -1,
      wildcards: true,
      conn: -1,
      leaf: -1,
    },
    exports: [
      {
        name: 'account-monitoring-services',
        subject: '$SYS.REQ.ACCOUNT.*.*',
        type: 'service',
        response_type: 'Stream',
      },
      { name: 'account-monitoring-streams', subject: '$SYS.ACCOUNT.*.>', type: 'stream' },
    ],
  };
  return encodeAccount('SYS', account.publicKey, claims, { signer: keyPairOf(operator) });
}

function exportsOf(account: NatsAccount): Export[] {
  return (account.spec.exports ?? []).map((e) => ({
    name: e.stream ?? e.service ?? '',
    subject: e.stream ?? e.service ?? '',
    type: e.stream ? 'stream' : 'service',
    ...(e.responseType ? { response_type: e.responseType } : {}),
    // Limited to some accounts: an importer needs an activation token the exporter signed for it.
    ...(e.accounts?.length ? { token_req: true } : {}),
  }));
}

/**
 * An activation token for an import, when the export it uses needs one (the exporting account
 * signs it for the importer); undefined for a public export.
 */
export type ActivationIssuer = (
  from: string,
  kind: 'stream' | 'service',
  subject: string,
) => Promise<string | undefined>;

async function importsOf(
  account: NatsAccount,
  publicKeys: Record<string, string>,
  activation: ActivationIssuer,
): Promise<Import[]> {
  const imports: Import[] = [];
  for (const i of account.spec.imports ?? []) {
    const source = i.stream ?? i.service;
    const subject = source?.subject ?? '';
    const kind = i.stream ? 'stream' : 'service';
    const local = i.stream ? (i.prefix ? `${i.prefix}.${subject}` : undefined) : i.to;
    const token = await activation(source?.account ?? '', kind, subject);
    imports.push({
      name: subject,
      subject,
      account: publicKeys[source?.account ?? ''] ?? '',
      type: kind,
      ...(local ? { local_subject: local } : {}),
      ...(token ? { token } : {}),
    });
  }
  return imports;
}

/** The token `exporter` signs to let `importerPublicKey` import `subject`. */
export const activationToken = (
  exporter: KeyIdentity,
  importerPublicKey: string,
  kind: 'stream' | 'service',
  subject: string,
): Promise<string> => encodeActivation(subject, importerPublicKey, keyPairOf(exporter), kind, { subject });

/** A tenant account JWT; `publicKeys` maps account names (inside NATS) to their public keys. */
export async function accountJwt(
  operator: KeyIdentity,
  key: KeyIdentity,
  account: NatsAccount,
  publicKeys: Record<string, string>,
  /** Revoked user public keys (or `*`: every user) and the time, in Unix seconds, before which their JWTs are refused. */
  revocations: Record<string, number> = {},
  activation: ActivationIssuer = async () => undefined,
): Promise<string> {
  const limits = account.spec.limits;
  const js = account.spec.jetstream;
  const jsOn = js?.enabled ?? false;
  const claims: Partial<Account> = {
    limits: {
      conn: limits?.maxConnections ?? -1,
      subs: limits?.maxSubscriptions ?? -1,
      payload: quantity(limits?.maxPayload),
      data: quantity(limits?.maxData),
      leaf: limits?.maxLeafNodes ?? -1,
      imports: -1,
      exports: -1,
      wildcards: true,
      mem_storage: jsOn ? quantity(js?.maxMemory) : 0,
      disk_storage: jsOn ? quantity(js?.maxStorage) : 0,
      streams: jsOn ? (js?.maxStreams ?? -1) : 0,
      consumer: jsOn ? (js?.maxConsumers ?? -1) : 0,
    },
    exports: exportsOf(account),
    imports: await importsOf(account, publicKeys, activation),
    ...(account.spec.defaultPermissions
      ? { default_permissions: jwtPermissions(account.spec.defaultPermissions) }
      : {}),
    ...(Object.keys(revocations).length ? { revocations } : {}),
  };
  const exp = account.spec.jwtExpiry
    ? Math.floor(Date.now() / 1000) + Math.floor(durationToSeconds(account.spec.jwtExpiry))
    : undefined;
  return encodeAccount(accountNameOf(account), key.publicKey, claims, {
    signer: keyPairOf(operator),
    ...(exp ? { exp } : {}),
  });
}

function jwtPermissions(p: Permissions) {
  return {
    pub: { allow: p.publish?.allow ?? [], deny: p.publish?.deny ?? [] },
    sub: { allow: p.subscribe?.allow ?? [], deny: p.subscribe?.deny ?? [] },
    // The response window in nanoseconds, as Go's time.Duration (0 would mean "no limit").
    ...(p.allowResponses
      ? {
          resp: {
            max: p.allowResponses.maxMsgs ?? 1,
            ttl: p.allowResponses.expires ? Math.round(durationToSeconds(p.allowResponses.expires) * 1e9) : 0,
          },
        }
      : {}),
  };
}

/** The claims of a user's JWT (nats section), from its spec: what the signed JWT must carry. */
export function userClaims(spec?: NatsUser['spec']): Partial<User> {
  return {
    ...(spec?.permissions ? jwtPermissions(spec.permissions) : {}),
    subs: spec?.limits?.maxSubscriptions ?? -1,
    payload: quantity(spec?.limits?.maxPayload),
    data: quantity(spec?.limits?.maxData),
    ...(spec?.allowedConnectionTypes ? { allowed_connection_types: [...spec.allowedConnectionTypes] } : {}),
  };
}

/** A user's decorated creds file (JWT + seed), signed by its account; expiring after spec.jwtExpiry. */
export function userCreds(
  account: KeyIdentity,
  user: KeyIdentity,
  name: string,
  spec?: NatsUser['spec'],
): string {
  const exp = spec?.jwtExpiry ? Math.floor(Date.now() / 1000) + durationToSeconds(spec.jwtExpiry) : undefined;
  const token = encodeUserJwt(name, user.publicKey, keyPairOf(account), userClaims(spec), exp ? { exp } : {});
  // fmtCreds reads only the seed: a user's key signs nothing here, so no key object is imported for it.
  const seedOnly = { getSeed: () => new TextEncoder().encode(user.seed) } as Pick<KeyPair, 'getSeed'>;
  return text.decode(fmtCreds(token, seedOnly as KeyPair));
}

/**
 * A JWT's claims, read without verifying the signature: for comparing JWTs we signed or that the
 * servers hold, never for trusting one. @nats-io/jwt's decode verifies with @nats-io/nkeys at about
 * 10 ms a JWT (three servers times a thousand accounts at every resync). Undefined: not a JWT.
 */
export function unverifiedClaims<T extends object>(jwt: string | undefined): T | undefined {
  try {
    const claims = JSON.parse(Buffer.from(jwt?.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
    return claims && typeof claims === 'object' ? (claims as T) : undefined;
  } catch {
    return undefined;
  }
}
