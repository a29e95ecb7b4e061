// The cluster's generated identities (route password, JetStream key, JWT-mode operator and system
// account, every user's credentials) live in one Secret, `<cluster>-identities`, written once and
// reused forever. Lost after they were handed out (to the servers' auth Secrets), it is not silently
// regenerated: the cluster goes Degraded until a human annotates it with
// natswarden.io/regenerate-identities=true.
import { accountNameOf, type NatsAccount, type NatsCluster, type NatsUser } from '../../api/index.ts';
import { generateIdentities, userCredentials } from '../../identity/generate-identities.ts';
import { identityOf, keyPairOf, newAccountKey, type KeyIdentity } from '../../identity/jwt.ts';
import { generateJetStreamKey } from '../../identity/secrets.ts';
import type { ClusterIdentities, UserCredentials } from '../../render/index.ts';
import { childMeta } from '../../render/names.ts';
import {
  hasSecretHalf,
  publicKeyOf,
  resolveUsers,
  stripped,
  type StoredUser,
  type UserSecretReader,
} from './user-handover.ts';

export const REGENERATE_ANNOTATION = 'natswarden.io/regenerate-identities';
export const identitiesSecretName = (cluster: NatsCluster) => `${cluster.metadata.name}-identities`;

type SecretData = Record<string, string>;
const decode = (data: SecretData | undefined, key: string) =>
  data?.[key] === undefined ? undefined : Buffer.from(data[key], 'base64').toString('utf8');
const encode = (values: Record<string, string | undefined>) =>
  Object.fromEntries(
    Object.entries(values)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, Buffer.from(v as string).toString('base64')]),
  );

export type IdentityOutcome =
  { kind: 'ready'; identities: ClusterIdentities; secret?: object } | { kind: 'lost'; message: string };

/** Every stored user entry, by NatsUser name. */
export function storedUserCredentials(data: SecretData | undefined): Record<string, UserCredentials> {
  const users: Record<string, UserCredentials> = {};
  for (const key of Object.keys(data ?? {})) {
    const match = /^user\.(.+)\.json$/.exec(key);
    if (match?.[1]) users[match[1]] = JSON.parse(decode(data, key) ?? '{}') as UserCredentials;
  }
  return users;
}

function parse(data: SecretData): ClusterIdentities | undefined {
  const routePassword = decode(data, 'route-password');
  if (!routePassword) return undefined;
  const users = storedUserCredentials(data);
  const operatorJwt = decode(data, 'operator.jwt');
  return {
    routePassword,
    ...(decode(data, 'jetstream-key') ? { jetstreamKey: decode(data, 'jetstream-key') } : {}),
    ...(operatorJwt
      ? {
          jwt: {
            operatorJwt,
            systemAccountPublicKey: decode(data, 'system-account.pub') ?? '',
            systemAccountJwt: decode(data, 'system-account.jwt') ?? '',
            accounts: JSON.parse(decode(data, 'accounts.json') ?? '{}'),
          },
        }
      : {}),
    users,
  };
}

function toSecret(
  cluster: NatsCluster,
  identities: ClusterIdentities,
  extra: Record<string, string | undefined>,
  handedOver: Set<string>,
): object {
  // A user's secret half stays here only until its own Secret holds it (user-handover.ts).
  const users = Object.fromEntries(
    Object.entries(identities.users).map(([name, creds]) => [
      `user.${name}.json`,
      JSON.stringify(handedOver.has(name) ? stripped(creds) : creds),
    ]),
  );
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: childMeta(cluster, identitiesSecretName(cluster), 'identities'),
    type: 'Opaque',
    data: encode({
      'route-password': identities.routePassword,
      'jetstream-key': identities.jetstreamKey,
      'operator.jwt': identities.jwt?.operatorJwt,
      'system-account.pub': identities.jwt?.systemAccountPublicKey,
      'system-account.jwt': identities.jwt?.systemAccountJwt,
      // Public keys only: an account's JWT lives on the servers (ADR 8), so 1,000 accounts fit.
      'accounts.json': identities.jwt
        ? JSON.stringify(
            Object.fromEntries(
              Object.entries(identities.jwt.accounts).map(([name, a]) => [name, { publicKey: a.publicKey }]),
            ),
          )
        : undefined,
      ...extra,
      ...users,
    }),
  };
}

const JWT_KEYS = [
  'operator.seed',
  'operator-signing.seed',
  'system-account.seed',
  'system-user.creds',
  'account-seeds.json',
  'account-owners.json',
];

/** Which NatsAccount (by UID) each stored account key belongs to, by NATS account name. */
const accountOwners = (data: SecretData | undefined): Record<string, string> =>
  JSON.parse(decode(data, 'account-owners.json') ?? '{}') as Record<string, string>;
const accountSeeds = (data: SecretData | undefined): Record<string, string> =>
  JSON.parse(decode(data, 'account-seeds.json') ?? '{}') as Record<string, string>;

/** What the NatsAccount controller signs and connects with, read from the identities Secret's data. */
export interface JwtKeys {
  /** Signs account JWTs: the operator's signing key, or its identity key on older clusters. */
  operatorSigningSeed?: string;
  systemUserCreds?: string;
  /** Account seeds and public keys, by NATS account name. */
  accountSeeds: Record<string, string>;
  accountPublicKeys: Record<string, string>;
  /** The NatsAccount UID each account key belongs to, by NATS account name. */
  accountOwners: Record<string, string>;
}

// Every NatsUser and NatsAccount reconcile reads the keys; with 1,000 accounts that is about 200 KiB
// of JSON to parse each time. The cache replaces a Secret's data object when the Secret changes, so
// one parse per data object is enough. Read-only for callers.
const parsedKeys = new WeakMap<SecretData, JwtKeys>();

export function jwtKeysOf(data: SecretData | undefined): JwtKeys {
  if (!data) return parseJwtKeys(undefined);
  const known = parsedKeys.get(data);
  if (known) return known;
  const keys = parseJwtKeys(data);
  parsedKeys.set(data, keys);
  return keys;
}

function parseJwtKeys(data: SecretData | undefined): JwtKeys {
  const known = JSON.parse(decode(data, 'accounts.json') ?? '{}') as Record<string, { publicKey: string }>;
  const signing = decode(data, 'operator-signing.seed') ?? decode(data, 'operator.seed');
  const creds = decode(data, 'system-user.creds');
  return {
    ...(signing ? { operatorSigningSeed: signing } : {}),
    ...(creds ? { systemUserCreds: creds } : {}),
    accountSeeds: accountSeeds(data),
    accountPublicKeys: Object.fromEntries(Object.entries(known).map(([n, a]) => [n, a.publicKey])),
    accountOwners: accountOwners(data),
  };
}

/**
 * An account name whose stored key belongs to another NatsAccount (a deleted one whose name was
 * taken again): the newcomer gets a key of its own, never the old tenant's. Keys stored before the
 * binding existed (no owner) are adopted by the account that holds the name.
 */
const keyTakenFrom = (owners: Record<string, string>, account: NatsAccount) => {
  const owner = owners[accountNameOf(account)];
  return !!owner && !!account.metadata.uid && owner !== account.metadata.uid;
};

/** A stored user entry made for another NatsUser of the same name. */
const userTakenFrom = (entry: UserCredentials | undefined, user: NatsUser) =>
  !!entry?.ownerUid && !!user.metadata.uid && entry.ownerUid !== user.metadata.uid;

/**
 * A JWT-mode cluster that already has its operator gains users (and accounts) later: each new Creds
 * user is signed by its account's stored key; an account without one gets a key and a JWT signed
 * by the stored operator. Nothing existing is regenerated.
 */
async function addToJwtCluster(
  accounts: NatsAccount[],
  missing: NatsUser[],
  allUsers: NatsUser[],
  stored: ClusterIdentities,
  data: SecretData,
  keys: JwtKeys,
  needsJsKey: boolean,
): Promise<Generated> {
  const seeds = { ...keys.accountSeeds };
  const owners = { ...keys.accountOwners };
  const operatorSeed = decode(data, 'operator.seed');
  const jwt = {
    ...(stored.jwt as NonNullable<ClusterIdentities['jwt']>),
    accounts: { ...stored.jwt?.accounts },
  };
  const keyOf = (name: string): KeyIdentity | undefined =>
    seeds[name] ? identityOf(keyPairOf({ seed: seeds[name], publicKey: '' })) : undefined;
  const rekeyed = new Set<string>();
  for (const account of accounts) {
    const name = accountNameOf(account);
    const uid = account.metadata.uid;
    if ((seeds[name] && !keyTakenFrom(owners, account)) || !operatorSeed) {
      if (seeds[name] && uid) owners[name] = uid;
      continue;
    }
    if (seeds[name]) rekeyed.add(account.metadata.name);
    const key = newAccountKey();
    seeds[name] = key.seed;
    if (uid) owners[name] = uid;
    // Only the public key: the NatsAccount controller signs and pushes the account's JWT.
    jwt.accounts[name] = { publicKey: key.publicKey };
  }
  const users = { ...stored.users };
  // Creds signed by a key the account no longer has would log in to the old tenant's account.
  const resigned = [
    ...missing,
    ...allUsers.filter(
      (u) => rekeyed.has(u.spec.accountRef.name) && u.spec.authType === 'Creds' && !missing.includes(u),
    ),
  ];
  for (const user of resigned) {
    const account = accounts.find((a) => a.metadata.name === user.spec.accountRef.name);
    users[user.metadata.name] = await userCredentials(user, () =>
      account ? keyOf(accountNameOf(account)) : undefined,
    );
  }
  const identities: ClusterIdentities = {
    ...stored,
    jwt,
    users,
    ...(needsJsKey ? { jetstreamKey: generateJetStreamKey() } : {}),
  };
  const extra = Object.fromEntries(JWT_KEYS.map((k) => [k, decode(data, k)]));
  return {
    identities,
    extra: {
      ...extra,
      'account-seeds.json': JSON.stringify(seeds),
      'account-owners.json': JSON.stringify(owners),
    },
  };
}

interface Generated {
  identities: ClusterIdentities;
  extra: Record<string, string | undefined>;
}

/**
 * Reads the identities from their Secret, generating only what is missing: a new cluster gets
 * everything; a new user or a newly enabled JetStream key gets just that. Returns the Secret to
 * apply when something was generated. `handedOut` says whether Secrets made from the identities
 * exist (the operator writes them after the identities Secret): only then is a missing identities
 * Secret a loss. A cluster that merely has a status (say it waited Degraded for a NatsAccount to
 * arrive) has handed nothing out yet.
 */
export async function ensureIdentities(
  cluster: NatsCluster,
  accounts: NatsAccount[],
  users: NatsUser[],
  existing: { data?: SecretData } | undefined,
  handedOut: boolean,
  readUserSecret: UserSecretReader,
): Promise<IdentityOutcome> {
  const data = existing?.data ?? {};
  const parsed = existing ? parse(data) : undefined;
  // Entries written before users were bound to their UID are bound now, to the user holding the name.
  const unbound = users.filter((u) => {
    const entry = parsed?.users[u.metadata.name];
    return !!entry && !entry.ownerUid && !!u.metadata.uid;
  });
  const bound = parsed && {
    ...parsed,
    users: {
      ...parsed.users,
      ...Object.fromEntries(
        unbound.map((u) => [u.metadata.name, { ...parsed.users[u.metadata.name], ownerUid: u.metadata.uid }]),
      ),
    },
  };
  // Each user's secret half comes from its own Secret; a lost one is rotated below.
  const resolution = bound
    ? await resolveUsers(users, bound.users, readUserSecret, userTakenFrom)
    : { users: {}, handedOver: new Set<string>(), lost: [] };
  const stored = bound && { ...bound, users: resolution.users };
  const toStrip = [...resolution.handedOver].some((name) => hasSecretHalf(parsed?.users[name]));
  const regenerate = cluster.metadata.annotations?.[REGENERATE_ANNOTATION] === 'true';
  if (!stored && handedOut && !regenerate) {
    return {
      kind: 'lost',
      message: `Secret ${identitiesSecretName(cluster)} (route password, keys, user credentials) is missing; existing clients and peers would be locked out by new ones. Restore it, or annotate the NatsCluster with ${REGENERATE_ANNOTATION}=true to generate new identities.`,
    };
  }
  const missingUsers = users.filter((u) => {
    const entry = stored?.users[u.metadata.name];
    return (
      !entry ||
      userTakenFrom(entry, u) ||
      (u.spec.authType === 'Creds' && !entry.creds) ||
      resolution.lost.includes(u)
    );
  });
  const needsJetStreamKey = cluster.spec.jetstream.encryption !== undefined && !stored?.jetstreamKey;
  const needsJwt = cluster.spec.auth.mode === 'JWT' && !stored?.jwt;
  const keys = jwtKeysOf(data);
  const seeds = keys.accountSeeds;
  const owners = keys.accountOwners;
  const needsAccountKeys =
    !!stored?.jwt &&
    accounts.some(
      (a) =>
        !seeds[accountNameOf(a)] ||
        keyTakenFrom(owners, a) ||
        (!owners[accountNameOf(a)] && !!a.metadata.uid),
    );
  if (
    stored &&
    !toStrip &&
    !unbound.length &&
    !missingUsers.length &&
    !needsJetStreamKey &&
    !needsJwt &&
    !needsAccountKeys
  )
    return { kind: 'ready', identities: stored };

  const generated =
    stored?.jwt && !needsJwt
      ? await addToJwtCluster(accounts, missingUsers, users, stored, data, keys, needsJetStreamKey)
      : await generateAll(cluster, accounts, users, stored, missingUsers);
  // A rotated user's old public key is retired, so it can be revoked (NatsAccount controller).
  for (const user of resolution.lost) {
    const name = user.metadata.name;
    const old = stored?.users[name] as StoredUser | undefined;
    const oldKey = publicKeyOf(old);
    const fresh = generated.identities.users[name] as StoredUser | undefined;
    if (fresh && oldKey)
      generated.identities.users[name] = {
        ...fresh,
        retired: [...(old?.retired ?? []), oldKey],
      } as UserCredentials;
  }
  return {
    kind: 'ready',
    identities: generated.identities,
    secret: toSecret(cluster, generated.identities, generated.extra, resolution.handedOver),
  };
}

/** A new cluster's identities, or a Config-mode cluster's new users (only what is missing). */
async function generateAll(
  cluster: NatsCluster,
  accounts: NatsAccount[],
  users: NatsUser[],
  stored: ClusterIdentities | undefined,
  missingUsers: NatsUser[],
): Promise<Generated> {
  // Only what is missing: every generated password costs a bcrypt hash.
  const fresh = await generateIdentities(cluster, accounts, stored ? missingUsers : users);
  const merged: ClusterIdentities = {
    routePassword: stored?.routePassword ?? fresh.identities.routePassword,
    ...((stored?.jetstreamKey ?? fresh.identities.jetstreamKey)
      ? { jetstreamKey: stored?.jetstreamKey ?? fresh.identities.jetstreamKey }
      : {}),
    ...(fresh.identities.jwt ? { jwt: fresh.identities.jwt } : {}),
    // Only missing users were generated; one whose name another NatsUser held is replaced.
    users: { ...(stored?.users ?? {}), ...fresh.identities.users },
  };
  const keys = fresh.jwtKeys;
  const extra = keys
    ? {
        'operator.seed': keys.operator.seed,
        'operator-signing.seed': keys.operatorSigning.seed,
        'system-account.seed': keys.systemAccount.seed,
        'system-user.creds': keys.systemUserCreds,
        'account-seeds.json': JSON.stringify(
          Object.fromEntries(Object.entries(keys.accounts).map(([n, k]) => [n, k.seed])),
        ),
        'account-owners.json': JSON.stringify(
          Object.fromEntries(
            accounts.filter((a) => a.metadata.uid).map((a) => [accountNameOf(a), a.metadata.uid]),
          ),
        ),
      }
    : {};
  return { identities: merged, extra };
}
