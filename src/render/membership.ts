// Which NatsAccounts and NatsUsers belong to a NatsCluster, decided so that no tenant can break,
// merge with or impersonate another. Teams write these resources without review, so a resource that
// conflicts with another or would make the cluster's configuration invalid is left out — and only
// that one, reported by name and field — while everything else is rendered:
// - a reserved NATS account name ($SYS, SYS, $G) is refused;
// - two accounts with one NATS account name, or two users with one login (username, certificate
//   subject or common name, e-mail SAN), go to the older resource (creation time, then UID); the
//   newer is left out naming the older;
// - an import from, or an export to, an account the cluster does not have (or has left out) leaves
//   the account out, and an account left out takes its users with it;
// - a user whose auth type the cluster cannot serve is left out;
// - a user's credentials Secret may not be one the cluster owns (its identities, auth or TLS
//   Secrets: writing it would overwrite them) nor another user's (the older user keeps it).
// Pure; the cluster's own problems (crossResourceProblems) are separate.
import type { NatsAccount, NatsCluster, NatsUser } from '../api/index.ts';
import { accountNameOf, credentialsSecretNameOf, usernameOf } from '../api/names.ts';
import { certificateUserName } from './auth-conf.ts';
import { accountBoundsProblem, clusterBoundsProblems, userBoundsProblem } from './bounds.ts';
import { leafLifetimeProblems } from './certificates.ts';
import { childNames } from './names.ts';

export interface Exclusion {
  kind: 'NatsAccount' | 'NatsUser';
  name: string;
  reason:
    | 'ReservedName'
    | 'ReservedAccount'
    | 'NameConflict'
    | 'MissingAccount'
    | 'MissingExport'
    | 'AccountLeftOut'
    | 'UnsupportedAuthType'
    | 'UnsupportedField'
    | 'OutOfBounds';
  /** Names the field and, for a conflict, the other resource. */
  message: string;
}

export interface ClusterMembers {
  accounts: NatsAccount[];
  users: NatsUser[];
  /** Resources that refer to the cluster but are left out of its configuration, and why. */
  excluded: Exclusion[];
}

/** NATS account names no tenant may take: the system account (unless the cluster names it) and the global account. */
export const RESERVED_ACCOUNT_NAMES = ['$SYS', 'SYS', '$G'];

type Resource = NatsAccount | NatsUser;
const created = (r: Resource) => {
  const at = (r.metadata as { creationTimestamp?: string | Date }).creationTimestamp;
  return at ? new Date(at).getTime() : Number.MAX_SAFE_INTEGER;
};
/** Oldest first; the UID, then the name, break ties so every replica decides alike. */
const byAge = (a: Resource, b: Resource) =>
  created(a) - created(b) ||
  (a.metadata.uid ?? '').localeCompare(b.metadata.uid ?? '') ||
  a.metadata.name.localeCompare(b.metadata.name);

/** The NatsAccounts that refer to the cluster and the NatsUsers of those accounts, conflicts settled. */
export function membersOf(cluster: NatsCluster, accounts: NatsAccount[], users: NatsUser[]): ClusterMembers {
  const namespace = cluster.metadata.namespace ?? 'default';
  const local = (r: Resource) => (r.metadata.namespace ?? 'default') === namespace;
  const excluded: Exclusion[] = [];
  const leaveOut = (r: Resource, reason: Exclusion['reason'], message: string) =>
    excluded.push({ kind: r.kind, name: r.metadata.name, reason, message });

  const claimed = accounts
    .filter((a) => local(a) && a.spec.clusterRef.name === cluster.metadata.name)
    .sort(byAge);
  const honoured = claimed.filter((account) => {
    const problem = accountFieldProblem(cluster, account);
    if (problem) leaveOut(account, problem.reason, problem.message);
    return !problem;
  });
  let included = settleAccountNames(honoured, cluster.spec.auth.systemAccount, leaveOut);
  included = settleReferences(included, leaveOut);

  const byName = new Map(included.map((a) => [a.metadata.name, a]));
  const claimedNames = new Set(claimed.map((a) => a.metadata.name));
  const candidates: NatsUser[] = [];
  for (const user of users.filter(local).sort(byAge)) {
    const account = user.spec.accountRef.name;
    if (byName.has(account)) candidates.push(user);
    else if (claimedNames.has(account))
      leaveOut(
        user,
        'AccountLeftOut',
        `spec.accountRef.name: NatsAccount ${account} is left out of NatsCluster ${cluster.metadata.name} (its status says why)`,
      );
  }
  const served = candidates.filter((user) => {
    const system = systemAccountProblem(cluster, byName.get(user.spec.accountRef.name), user);
    if (system) {
      leaveOut(user, 'ReservedAccount', system);
      return false;
    }
    const problem = authTypeProblem(cluster, user);
    if (problem) leaveOut(user, 'UnsupportedAuthType', problem);
    const bounds = problem ? undefined : userBoundsProblem(user);
    if (bounds) leaveOut(user, 'OutOfBounds', bounds);
    return !problem && !bounds;
  });
  const named = settleSecretNames(cluster, served, leaveOut);
  return { accounts: included, users: settleLogins(named, leaveOut), excluded };
}

type LeaveOut = (r: Resource, reason: Exclusion['reason'], message: string) => void;

/**
 * The system account sees every server's events and answers its requests: a tenant must not be able
 * to join it by naming it. Only the NatsUsers the platform team lists in the NatsCluster may.
 */
function systemAccountProblem(
  cluster: NatsCluster,
  account: NatsAccount | undefined,
  user: NatsUser,
): string | undefined {
  const system = cluster.spec.auth.systemAccount;
  if (!system || !account || (account.metadata.name !== system && accountNameOf(account) !== system))
    return undefined;
  if ((cluster.spec.auth.systemAccountUsers ?? []).includes(user.metadata.name)) return undefined;
  return `spec.accountRef.name: NatsAccount ${account.metadata.name} is the system account of NatsCluster ${cluster.metadata.name}; only the NatsUsers its spec.auth.systemAccountUsers lists may join it`;
}

function settleAccountNames(
  accounts: NatsAccount[],
  systemAccount: string | undefined,
  leaveOut: LeaveOut,
): NatsAccount[] {
  const owner = new Map<string, NatsAccount>();
  // The platform team may name the system account in the NatsCluster (Config mode); only that one
  // may take a system name.
  const designated = (a: NatsAccount) =>
    !!systemAccount && (a.metadata.name === systemAccount || accountNameOf(a) === systemAccount);
  return accounts.filter((account) => {
    const name = accountNameOf(account);
    const field = account.spec.accountName ? 'spec.accountName' : 'metadata.name';
    if (RESERVED_ACCOUNT_NAMES.includes(name) && !(name !== '$G' && designated(account))) {
      leaveOut(account, 'ReservedName', `${field}: "${name}" is reserved for NATS itself`);
      return false;
    }
    const older = owner.get(name);
    if (older) {
      leaveOut(
        account,
        'NameConflict',
        `${field}: NATS account name "${name}" already belongs to NatsAccount ${older.metadata.name}, which is older`,
      );
      return false;
    }
    owner.set(name, account);
    return true;
  });
}

/** Leaves out accounts that import from, or export to, an account not in the cluster, until none do. */
function settleReferences(accounts: NatsAccount[], leaveOut: LeaveOut): NatsAccount[] {
  let kept = accounts;
  for (;;) {
    const names = new Set(kept.map(accountNameOf));
    const byName = new Map(kept.map((a) => [accountNameOf(a), a]));
    const next = kept.filter((account) => {
      const problem = missingReference(account, names);
      if (problem) leaveOut(account, 'MissingAccount', problem);
      const unoffered = problem ? undefined : unofferedImport(account, byName);
      if (unoffered) leaveOut(account, 'MissingExport', unoffered);
      return !problem && !unoffered;
    });
    if (next.length === kept.length) return kept;
    kept = next;
  }
}

/** Whether every subject `subject` can match is matched by the export pattern `pattern` (NATS subset). */
export function subjectCovers(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const t = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return i < t.length;
    if (i >= t.length || t[i] === '>') return false;
    if (p[i] !== '*' && (t[i] === '*' || p[i] !== t[i])) return false;
  }
  return p.length === t.length;
}

/**
 * An import must be offered: the other account exports a stream (or service) covering the subject,
 * to everyone or to this account. nats-server would otherwise drop it, or refuse the account JWT.
 */
function unofferedImport(account: NatsAccount, byName: Map<string, NatsAccount>): string | undefined {
  const me = accountNameOf(account);
  for (const [i, entry] of (account.spec.imports ?? []).entries()) {
    const kind = entry.stream ? 'stream' : 'service';
    const source = entry.stream ?? entry.service;
    if (!source) continue;
    const exports = (byName.get(source.account)?.spec.exports ?? []).filter(
      (e) => (kind === 'stream' ? e.stream : e.service) !== undefined,
    );
    const covering = exports.filter((e) => subjectCovers((e.stream ?? e.service) as string, source.subject));
    if (!covering.length)
      return `spec.imports[${i}].${kind}.subject: account ${source.account} exports no ${kind} covering "${source.subject}"`;
    if (!covering.some((e) => !e.accounts?.length || e.accounts.includes(me)))
      return `spec.imports[${i}].${kind}.account: account ${source.account} exports "${source.subject}" only to other accounts`;
  }
  return undefined;
}

function missingReference(account: NatsAccount, names: Set<string>): string | undefined {
  for (const [i, entry] of (account.spec.imports ?? []).entries()) {
    const from = entry.stream?.account ?? entry.service?.account ?? '';
    if (!names.has(from)) return `spec.imports[${i}]: no account ${from} in this cluster`;
  }
  for (const [i, entry] of (account.spec.exports ?? []).entries()) {
    const missing = entry.accounts?.find((name) => !names.has(name));
    if (missing !== undefined) return `spec.exports[${i}].accounts: no account ${missing} in this cluster`;
  }
  return undefined;
}

/**
 * Fields the cluster's auth mode cannot honour are refused, never silently dropped: account data
 * limits exist only in account JWTs. (An export restricted to some accounts is honoured in both
 * modes: JWT mode requires a token, and the NatsAccount controller issues one to each allowed importer.)
 */
function accountFieldProblem(
  cluster: NatsCluster,
  account: NatsAccount,
): { reason: Exclusion['reason']; message: string } | undefined {
  const bounds = accountBoundsProblem(account);
  if (bounds) return { reason: 'OutOfBounds', message: bounds };
  const mode = cluster.spec.auth.mode;
  if (mode === 'Config' && account.spec.limits?.maxData !== undefined)
    return {
      reason: 'UnsupportedField',
      message: `spec.limits.maxData: account data limits need auth.mode JWT; NatsCluster ${cluster.metadata.name} uses Config`,
    };
  if (mode === 'Config' && account.spec.jwtExpiry !== undefined)
    return {
      reason: 'UnsupportedField',
      message: `spec.jwtExpiry: an expiring account JWT needs auth.mode JWT; NatsCluster ${cluster.metadata.name} uses Config`,
    };
  return undefined;
}

function authTypeProblem(cluster: NatsCluster, user: NatsUser): string | undefined {
  const jwt = cluster.spec.auth.mode === 'JWT';
  const name = cluster.metadata.name;
  const type = user.spec.authType;
  if (jwt && type !== 'Creds')
    return `spec.authType: must be Creds, because NatsCluster ${name} uses auth.mode JWT`;
  if (!jwt && type === 'Creds')
    return `spec.authType: Creds needs auth.mode JWT; NatsCluster ${name} uses Config`;
  if (type === 'Certificate' && !cluster.spec.tls.client.verifyAndMap)
    return `spec.authType: Certificate users need spec.tls.client.verifyAndMap on NatsCluster ${name}`;
  // With verify_and_map nats-server takes the user from the certificate and never checks a password
  // (server/auth.go, processClientOrLeafAuthentication); an nkey is checked first, so NKey users work.
  if (type === 'Password' && cluster.spec.tls.client.verifyAndMap)
    return `spec.authType: Password users cannot log in to NatsCluster ${name}, which maps every client by its certificate (spec.tls.client.verifyAndMap): use Certificate or NKey`;
  return undefined;
}

/** Every name a user can log in as: its username, or its certificate's subject, CN and e-mails. */
export function loginsOf(user: NatsUser): string[] {
  switch (user.spec.authType) {
    case 'Password':
      return [usernameOf(user)];
    case 'Certificate': {
      const certificate = user.spec.certificate;
      const cn = certificate?.commonName ?? user.metadata.name;
      return [
        ...new Set([certificateUserName(user), `CN=${cn}`, cn, ...(certificate?.emailAddresses ?? [])]),
      ];
    }
    default:
      return []; // NKey and Creds users log in by a key generated for them alone
  }
}

/** The Secrets a cluster owns in its namespace, by name: no user's credentials may be written there. */
export function clusterSecretNames(cluster: NatsCluster): Set<string> {
  const names = childNames(cluster.metadata.name);
  return new Set([
    names.caSecret,
    names.serverSecret,
    names.routesSecret,
    names.trustBundle,
    names.authSecret,
    names.routesAuthSecret,
    names.jetstreamKeySecret,
    `${cluster.metadata.name}-identities`,
  ]);
}

/**
 * Each user writes its credentials Secret and gets a client certificate Secret named after it: a
 * name the cluster owns is refused, and one Secret name goes to the older of two users.
 */
function settleSecretNames(cluster: NatsCluster, users: NatsUser[], leaveOut: LeaveOut): NatsUser[] {
  const reserved = clusterSecretNames(cluster);
  // Client certificate Secrets are named after the user: whoever picks such a name loses.
  const certificates = new Map(users.map((u) => [`${u.metadata.name}-nats-client-tls`, u]));
  const owner = new Map<string, NatsUser>();
  return users.filter((user) => {
    const name = credentialsSecretNameOf(user);
    const field = user.spec.secretName ? 'spec.secretName' : 'metadata.name';
    const holder = certificates.get(name);
    const problem = reserved.has(name)
      ? `Secret ${name} belongs to NatsCluster ${cluster.metadata.name}`
      : holder
        ? `Secret ${name} holds NatsUser ${holder.metadata.name}'s client certificate`
        : undefined;
    if (problem) {
      leaveOut(user, 'ReservedName', `${field}: ${problem}`);
      return false;
    }
    const older = owner.get(name);
    if (older) {
      leaveOut(
        user,
        'NameConflict',
        `${field}: Secret ${name} already belongs to NatsUser ${older.metadata.name}, which is older`,
      );
      return false;
    }
    owner.set(name, user);
    return true;
  });
}

function settleLogins(users: NatsUser[], leaveOut: LeaveOut): NatsUser[] {
  const owner = new Map<string, NatsUser>();
  return users.filter((user) => {
    const logins = loginsOf(user);
    const taken = logins.find((login) => owner.has(login));
    if (taken !== undefined) {
      const older = owner.get(taken) as NatsUser;
      const field = user.spec.authType === 'Password' ? 'spec.username' : 'spec.certificate';
      leaveOut(
        user,
        'NameConflict',
        `${field}: login "${taken}" already belongs to NatsUser ${older.metadata.name} (account ${older.spec.accountRef.name}), which is older`,
      );
      return false;
    }
    logins.forEach((login) => owner.set(login, user));
    return true;
  });
}

/** The cluster's own problems, which no schema can see. Each names the field. */
export function crossResourceProblems(cluster: NatsCluster, members: ClusterMembers): string[] {
  return [
    ...leafLifetimeProblems(cluster),
    ...clusterBoundsProblems(cluster),
    ...openAccessProblems(cluster, members),
  ];
}

/**
 * In Config mode nats-server lets anyone in, unauthenticated, when its config has no user and TLS
 * asks for no client certificate. Refused unless the spec opts in by name.
 */
function openAccessProblems(cluster: NatsCluster, members: ClusterMembers): string[] {
  const { auth, tls } = cluster.spec;
  if (
    auth.mode !== 'Config' ||
    tls.client.verify ||
    members.users.length > 0 ||
    auth.allowUnauthenticatedClients
  )
    return [];
  return [
    'spec.auth: no NatsUser can log in and spec.tls.client.verify is false, so any client could connect without credentials; add a NatsUser, set spec.tls.client.verify, or set spec.auth.allowUnauthenticatedClients: true',
  ];
}

/** Offline (the CLI, tests): every member left out is an error, never a silent drop. */
export function membershipProblems(members: ClusterMembers): string[] {
  return members.excluded.map((e) => `${e.kind} ${e.name} ${e.message}`);
}
