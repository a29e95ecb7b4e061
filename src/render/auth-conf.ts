// The auth include file (Secret `<cluster>-auth`): Config mode lists accounts with their users by
// bcrypt hash, nkey or certificate subject; JWT mode names the operator, the system account and the
// full resolver. It holds hashes and JWTs, so it lives in a Secret, never in the ConfigMap.
import type { NatsAccount, NatsCluster, NatsUser, Permissions } from '../api/index.ts';
import { accountNameOf, usernameOf } from '../api/names.ts';
import { hash } from 'node:crypto';
import { writeNatsConf, type ConfBlock, type ConfValue } from './conf-writer.ts';
import type { ClusterIdentities, RenderContext } from './context.ts';
import { routeUrls } from './nats-conf.ts';
import { PATHS } from './layout.ts';
import { RenderError } from './render-error.ts';
import { quantityToBytes } from './units.ts';

export function permissionsBlock(permissions: Permissions | undefined): ConfBlock | undefined {
  if (!permissions) return undefined;
  const rule = (r: { allow?: string[]; deny?: string[] } | undefined) =>
    r ? ({ allow: r.allow, deny: r.deny } satisfies ConfBlock) : undefined;
  return {
    publish: rule(permissions.publish),
    subscribe: rule(permissions.subscribe),
    allow_responses: permissions.allowResponses
      ? { max: permissions.allowResponses.maxMsgs ?? 1, expires: permissions.allowResponses.expires }
      : undefined,
  };
}

/** The name a certificate user has in the config: what verify_and_map matches on. */
export function certificateUserName(user: NatsUser): string {
  const certificate = user.spec.certificate;
  const email = certificate?.emailAddresses?.[0];
  return email ?? `CN=${certificate?.commonName ?? user.metadata.name}`;
}

function userEntry(user: NatsUser, identities: ClusterIdentities, index: number): ConfBlock {
  const path = `NatsUser ${user.metadata.name}`;
  const credentials = identities.users[user.metadata.name];
  const permissions = permissionsBlock(user.spec.permissions);
  const connectionTypes = user.spec.allowedConnectionTypes;
  const allowed = connectionTypes ? { allowed_connection_types: [...connectionTypes] } : {};
  switch (user.spec.authType) {
    case 'Password': {
      if (!credentials?.password) throw new RenderError(path, 'its password has not been generated yet');
      return { user: usernameOf(user), password: credentials.password.bcryptHash, permissions, ...allowed };
    }
    case 'NKey': {
      if (!credentials?.nkey) throw new RenderError(path, 'its nkey has not been generated yet');
      return { nkey: credentials.nkey.publicKey, permissions, ...allowed };
    }
    case 'Certificate':
      return { user: certificateUserName(user), permissions, ...allowed };
    default:
      throw new RenderError(
        `${path} spec.authType`,
        `Creds users need a cluster in auth.mode JWT (user #${index})`,
      );
  }
}

function exportsList(account: NatsAccount): ConfValue[] | undefined {
  return account.spec.exports?.map((e) => ({
    stream: e.stream,
    service: e.service,
    accounts: e.accounts,
    response_type: e.responseType?.toLowerCase(),
  }));
}

function importsList(account: NatsAccount): ConfValue[] | undefined {
  return account.spec.imports?.map((i) => ({
    stream: i.stream ? { account: i.stream.account, subject: i.stream.subject } : undefined,
    service: i.service ? { account: i.service.account, subject: i.service.subject } : undefined,
    prefix: i.prefix,
    to: i.to,
  }));
}

function accountJetStream(account: NatsAccount): ConfValue | undefined {
  const js = account.spec.jetstream;
  if (!js) return undefined;
  if (!js.enabled) return 'disabled';
  const limits: ConfBlock = {
    max_mem: js.maxMemory === undefined ? undefined : quantityToBytes(js.maxMemory),
    max_file: js.maxStorage === undefined ? undefined : quantityToBytes(js.maxStorage),
    max_streams: js.maxStreams,
    max_consumers: js.maxConsumers,
  };
  return Object.values(limits).some((v) => v !== undefined) ? limits : 'enabled';
}

function accountLimits(account: NatsAccount): ConfBlock | undefined {
  const limits = account.spec.limits;
  if (!limits) return undefined;
  return {
    max_connections: limits.maxConnections,
    max_subscriptions: limits.maxSubscriptions,
    max_payload: limits.maxPayload === undefined ? undefined : quantityToBytes(limits.maxPayload),
    max_leafnodes: limits.maxLeafNodes,
  };
}

/**
 * Config mode's load marker: an empty account whose name carries a digest of the rest of the auth
 * include. A server whose /accountz lists it has loaded exactly that include (a reload drops every
 * account the new include no longer names, so only the newest marker is ever listed). `$` is outside
 * every name a tenant can give an account (AccountName's pattern, Kubernetes names), so no tenant
 * can take or forge it.
 */
export const LOAD_MARKER_PREFIX = '$NW_INCLUDE_';

const digestOf = (value: unknown) => hash('sha256', JSON.stringify(value)).slice(0, 16);

/** The Config-mode auth block, its load marker, and a digest of each account's and user's entry in it. */
export interface ConfigModeAuth {
  block: ConfBlock;
  marker: string;
  /** NatsUser name → digest of its account and entry: what a server must have loaded for it. */
  userEntries: Map<string, string>;
  /** NatsAccount name → accountEntryDigest: its settings, without its users. */
  accountEntries: Map<string, string>;
}

/** An account's settings in the include, everything but its users: all from its own spec. */
const accountSettings = (account: NatsAccount): ConfBlock => ({
  jetstream: accountJetStream(account),
  exports: exportsList(account),
  imports: importsList(account),
  default_permissions: permissionsBlock(account.spec.defaultPermissions),
  limits: accountLimits(account),
});

/**
 * What a server must have loaded for an account's current spec. A function of the account alone, so
 * the NatsAccount controller computes it without rendering the include.
 */
export const accountEntryDigest = (account: NatsAccount): string =>
  digestOf([accountNameOf(account), accountSettings(account)]);

/** Config mode: `accounts {}` with users, exports and imports, the system account, and the load marker. */
export function configModeAuthWithMarker(
  cluster: NatsCluster,
  accounts: NatsAccount[],
  users: NatsUser[],
  identities: ClusterIdentities,
): ConfigModeAuth {
  const byName = [...accounts].sort((a, b) => accountNameOf(a).localeCompare(accountNameOf(b)));
  const block: ConfBlock = {};
  const userEntries = new Map<string, string>();
  const accountEntries = new Map<string, string>();
  for (const account of byName) {
    accountEntries.set(account.metadata.name, accountEntryDigest(account));
    const members = users
      .filter((u) => u.spec.accountRef.name === account.metadata.name)
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    const entries = members.map((user, index) => {
      const entry = userEntry(user, identities, index);
      userEntries.set(user.metadata.name, digestOf([accountNameOf(account), entry]));
      return entry;
    });
    const { jetstream, ...rest } = accountSettings(account);
    block[accountNameOf(account)] = { jetstream, users: entries, ...rest };
  }
  const systemAccount = cluster.spec.auth.systemAccount;
  if (
    systemAccount &&
    !accounts.some((a) => a.metadata.name === systemAccount || accountNameOf(a) === systemAccount)
  ) {
    throw new RenderError(
      'spec.auth.systemAccount',
      `no NatsAccount named ${systemAccount} refers to this cluster`,
    );
  }
  const systemName = accounts.find((a) => a.metadata.name === systemAccount);
  const system_account = systemName ? accountNameOf(systemName) : systemAccount;
  const marker = LOAD_MARKER_PREFIX + digestOf([block, system_account]);
  return {
    block: { accounts: { ...block, [marker]: {} }, system_account },
    marker,
    userEntries,
    accountEntries,
  };
}

/** Config mode's auth block (configModeAuthWithMarker without the digests). */
export const configModeAuth = (
  cluster: NatsCluster,
  accounts: NatsAccount[],
  users: NatsUser[],
  identities: ClusterIdentities,
): ConfBlock => configModeAuthWithMarker(cluster, accounts, users, identities).block;

/** JWT mode: operator, system account, full resolver, and the system account preloaded. */
export function jwtModeAuth(cluster: NatsCluster, identities: ClusterIdentities): ConfBlock {
  const jwt = identities.jwt;
  if (!jwt)
    throw new RenderError(
      'spec.auth.mode',
      'JWT mode needs the operator identity, which has not been generated yet',
    );
  const resolver = cluster.spec.auth.jwt?.resolver;
  return {
    operator: jwt.operatorJwt,
    system_account: jwt.systemAccountPublicKey,
    resolver: {
      type: 'full',
      dir: PATHS.jwtDir,
      allow_delete: resolver?.allowDelete ?? false,
      interval: resolver?.interval ?? '2m',
      timeout: resolver?.timeout ?? '1.9s',
      limit: resolver?.limit ?? 1000,
    },
    resolver_preload: { [jwt.systemAccountPublicKey]: jwt.systemAccountJwt },
  };
}

export function renderAuthConf(
  cluster: NatsCluster,
  accounts: NatsAccount[],
  users: NatsUser[],
  identities: ClusterIdentities,
): string {
  const block =
    cluster.spec.auth.mode === 'JWT'
      ? jwtModeAuth(cluster, identities)
      : configModeAuth(cluster, accounts, users, identities);
  return writeNatsConf(block, [
    'Accounts and users, written by nats-warden. Holds hashes and JWTs: Secret only.',
  ]);
}

export function renderRoutesConf(cluster: NatsCluster, context: RenderContext): string {
  return writeNatsConf(
    {
      authorization: { user: cluster.spec.auth.routes.username, password: context.identities.routePassword },
      routes: routeUrls(cluster, context),
    },
    [
      'Route credentials and the routes to every peer (credentials in the URLs), written by nats-warden: Secret only.',
    ],
  );
}

export function renderJetStreamKeyConf(identities: ClusterIdentities): string {
  if (!identities.jetstreamKey)
    throw new RenderError('spec.jetstream.encryption', 'the JetStream key has not been generated yet');
  return writeNatsConf({ key: identities.jetstreamKey }, [
    'JetStream encryption key, written by nats-warden: Secret only.',
  ]);
}
