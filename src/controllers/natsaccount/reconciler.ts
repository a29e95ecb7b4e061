// Reconciles one NatsAccount. It is the only writer of a NatsAccount's status:
// - Degraded: whether the account is left out of its cluster (membership.ts decides, the same pure
//   function the cluster controller renders with) and why, naming the field;
// - JWT mode: the account JWT, signed from the spec by the cluster's operator key, pushed as the
//   system user to every server, then every server asked what it holds (distribution.ts).
//   Ready only when every server holds the current JWT; otherwise it says how many do and retries;
//   deleted users (and a deleted account) are revoked through it (revocation.ts);
// - Config mode: Ready once every server has loaded the account (config-mode.ts).
// The keys themselves are generated once by the cluster controller (identities.ts) and only read here.
import type { KubernetesObject, V1Pod, V1Secret } from '@kubernetes/client-node';
import type { Kube } from '../../k8s/client.ts';
import { createHash } from 'node:crypto';
import {
  accountNameOf,
  credentialsSecretNameOf,
  type NatsAccount,
  type NatsCluster,
  type NatsUser,
} from '../../api/index.ts';
import { classify } from '../../k8s/errors.ts';
import {
  accountJwt,
  activationToken,
  identityOf,
  keyPairOf,
  type ActivationIssuer,
} from '../../identity/jwt.ts';
import { accountJwtHeld, deleteAccountJwts, pushAccountJwt, storedJwts } from '../../nats/system-client.ts';
import type { SystemConnections } from '../../nats/system-connections.ts';
import { childNames } from '../../render/index.ts';
import { subjectCovers } from '../../render/membership.ts';
import { forEachBounded } from '../../runtime/bounded.ts';
import type { ControllerContext, Reconciler } from '../../runtime/controller.ts';
import { isoSeconds, setConditions, type ConditionUpdate } from '../../status/conditions.ts';
import {
  identitiesSecretName,
  jwtKeysOf,
  storedUserCredentials,
  type JwtKeys,
} from '../natscluster/identities.ts';
import { memberStatus } from '../natscluster/member-status.ts';
import { writeStatus } from '../natscluster/status-writer.ts';
import type { NatsAccountWatches } from './controller.ts';
import { configuredWithoutMonitoring, loadedByServers } from './config-mode.ts';
import { serverPods } from '../server-accounts.ts';
import type { LoadedIncludes } from '../loaded-includes.ts';
import { userKeys } from './user-keys.ts';
import { heldCredentials, type HeldSecrets } from './held-credentials.ts';
import {
  claimsKey,
  expiresAt,
  halfExpired,
  issuedAt,
  planDistribution,
  planFromStored,
} from './distribution.ts';
import {
  hasFinalizer,
  planRevocations,
  readRevocations,
  revocationsConfigMap,
  revocationsName,
  REVOKE_FINALIZER,
  type HeldCredentials,
} from './revocation.ts';
import { clusterMembers } from '../cluster-members.ts';
import { memberUsersOfAccount, usersOfAccount } from '../users-by-account.ts';

/** While servers are behind or unreachable: soon. A finalizer write that lost a race: at once. */
const RETRY_MS = 5_000;
const CONFLICT_RETRY_MS = 200;
const FINALIZERS_AT_ONCE = 8;
const ASK_TIMEOUT_MS = 2_000;
/**
 * An account every server was seen to hold is not asked about again while nothing it was decided
 * from changed (the claims, the account's metadata, the replicas, the server pods, the trust bundle) and for at
 * most this long: a cold start reconciles each account once per user event, and asking three servers
 * each time was the slowest part. A pod that restarts (maybe with an empty store) changes the pods.
 */
const VERIFIED_FOR_MS = 60_000;

type Status = NonNullable<NatsAccount['status']>;
/** What carries the revocation finalizer: accounts, users' credentials Secrets, users of older operators. */
type FinalizedPlural = Parameters<Kube['patchFinalizers']>[0];
type Finalized = NatsUser | NatsAccount | V1Secret;
type Outcome =
  | { ready: false; reason: string; message: string; publicKey?: string }
  | {
      ready: boolean;
      reason: string;
      message: string;
      publicKey: string;
      jwt: string;
      servers: number;
      current: number;
    };

const decode = (secret: V1Secret | undefined, key: string) => {
  const value = secret?.data?.[key];
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
};

const cond = (type: string, ok: boolean, reason: string, message: string): ConditionUpdate => ({
  type,
  status: ok ? 'True' : 'False',
  reason,
  message,
});

export class NatsAccountReconciler implements Reconciler {
  private readonly ctx: ControllerContext<NatsAccountWatches>;
  private readonly connections: SystemConnections;
  private readonly clusterDomain: string;
  /** Each account's last outcome that every server was seen to hold, and what it was decided from. */
  private readonly verified = new Map<string, { inputs: string; at: number; outcome: Outcome }>();

  /** Which auth include each server has loaded (Config mode), remembered by the NatsCluster controller. */
  private readonly loadedIncludes: LoadedIncludes;
  /** The deleting credentials Secrets each account must revoke before they may go. */
  private readonly held: HeldSecrets;

  constructor(
    ctx: ControllerContext<NatsAccountWatches>,
    connections: SystemConnections,
    clusterDomain: string,
    loadedIncludes: LoadedIncludes,
    held: HeldSecrets,
  ) {
    this.ctx = ctx;
    this.connections = connections;
    this.clusterDomain = clusterDomain;
    this.loadedIncludes = loadedIncludes;
    this.held = held;
  }

  async reconcile(key: string): Promise<{ requeueAfterMs?: number }> {
    const [namespace, name] = key.split('/') as [string, string];
    const read = this.ctx.readers;
    const users = usersOfAccount(read.users, namespace, name);
    const held = this.held
      .of(key)
      .map((secret) => heldCredentials(read.secrets.get(secret, namespace)))
      .filter((h): h is HeldCredentials => !!h);
    const account = read.accounts.get(name, namespace);
    // Gone (having revoked every user, or never in JWT mode): nothing left to revoke through it.
    if (!account) {
      this.verified.delete(key);
      return this.release(users, undefined, held, namespace);
    }
    const now = new Date().toISOString();
    const clusterName = account.spec.clusterRef.name;
    const cluster = read.clusters.get(clusterName, namespace);
    if (!cluster) {
      const missing = cond(
        'Degraded',
        true,
        'ClusterNotFound',
        `spec.clusterRef.name: no NatsCluster ${clusterName} in namespace ${namespace}`,
      );
      await this.write(account, { conditions: setConditions(account.status?.conditions, [missing], now) });
      return this.release(users, account, held, namespace);
    }
    const members = clusterMembers(cluster, read.accounts, read.users, { fresh: false });
    const exclusion = members.excluded.find((e) => e.kind === 'NatsAccount' && e.name === name);
    const base = memberStatus(account, clusterName, exclusion, undefined, now);
    const userCount = memberUsersOfAccount(members, name);
    const clusterGoing = !!cluster.metadata.deletionTimestamp;
    if (exclusion || clusterGoing) {
      await this.write(account, { ...base, users: userCount });
      return this.release(users, account, held, namespace);
    }
    if (cluster.spec.auth.mode !== 'JWT') {
      await this.release(users, account, held, namespace);
      const clusterSecret = (name: keyof ReturnType<typeof childNames>, key: string) =>
        decode(read.secrets.get(childNames(cluster.metadata.name)[name], namespace), key);
      const loaded = cluster.spec.monitoring.enabled
        ? await loadedByServers(
            cluster,
            account,
            this.loadedIncludes,
            serverPods(read.pods.list(namespace), cluster.metadata.name),
            clusterSecret('trustBundle', 'ca.crt'),
            this.clusterDomain,
          )
        : configuredWithoutMonitoring(cluster, account, clusterSecret('authSecret', 'auth.conf'));
      await this.write(account, {
        ...withReady(base, account, loaded, now),
        users: userCount,
        distribution: { servers: loaded.servers, current: loaded.current },
      });
      return loaded.ready ? {} : { requeueAfterMs: RETRY_MS };
    }

    // JWT mode: revocations first (kept before anything is signed with them), then distribution.
    const identities = read.secrets.get(identitiesSecretName(cluster), namespace)?.data;
    const plan = planRevocations(
      account,
      users,
      userKeys(users, storedUserCredentials(identities), (u) =>
        read.secrets.get(credentialsSecretNameOf(u), namespace),
      ),
      readRevocations(account, read.configMaps.get(revocationsName(account), namespace)),
      Math.floor(Date.now() / 1000),
      held,
    );
    if (plan.changed)
      await this.ctx.kube.apply(revocationsConfigMap(account, cluster, plan.revocations) as KubernetesObject);
    const keys = jwtKeysOf(identities);
    const outcome = await this.distribute(cluster, account, keys, plan.revocations, members.accounts);
    let settled = true;
    if (outcome.ready) {
      // Every server holds a JWT with the revocations: the deleted users' creds are refused everywhere.
      settled = (await this.setFinalizers('natsusers', plan.release, false)) && settled;
      settled = (await this.releaseSecrets(namespace, plan.releaseSecrets)) && settled;
      if (account.metadata.deletionTimestamp && hasFinalizer(account)) {
        await this.removeFromResolvers(cluster, account, keys, outcome.publicKey);
        settled = (await this.setFinalizer('natsaccounts', account, false)) && settled;
      }
    }
    if (!account.metadata.deletionTimestamp && !hasFinalizer(account))
      settled = (await this.setFinalizer('natsaccounts', account, true)) && settled;

    const status: Status = {
      ...withReady(base, account, outcome, now),
      users: userCount,
      ...(outcome.publicKey ? { publicKey: outcome.publicKey } : {}),
      ...('jwt' in outcome
        ? {
            jwtIssuedAt: isoSeconds(issuedAt(outcome.jwt)),
            distribution: { servers: outcome.servers, current: outcome.current },
          }
        : {}),
    };
    const expires = 'jwt' in outcome ? expiresAt(outcome.jwt) : undefined;
    if (expires) status.jwtExpiresAt = isoSeconds(expires);
    // A merge patch removes a field only when told to with null.
    else if (account.status?.jwtExpiresAt) (status as Record<string, unknown>).jwtExpiresAt = null;
    await this.write(account, status);
    if (!settled) return { requeueAfterMs: CONFLICT_RETRY_MS };
    if (!outcome.ready) return { requeueAfterMs: RETRY_MS };
    // Ready: the manager's periodic resync and the servers' pod events re-check it; an expiring JWT
    // is signed again at half its lifetime.
    if (!expires || !('jwt' in outcome)) return {};
    const halfLife = (issuedAt(outcome.jwt) + (expires - issuedAt(outcome.jwt)) / 2) * 1000;
    return { requeueAfterMs: Math.max(1_000, Math.ceil(halfLife - Date.now())) };
  }

  /** Nothing to revoke through (Config mode, left out, no cluster, no account): our finalizers go at once. */
  private async release(
    users: NatsUser[],
    account: NatsAccount | undefined,
    held: HeldCredentials[],
    namespace: string,
  ): Promise<{ requeueAfterMs?: number }> {
    const deletingUsers = users.filter((u) => u.metadata.deletionTimestamp && hasFinalizer(u));
    let settled = await this.setFinalizers('natsusers', deletingUsers, false);
    settled =
      (await this.releaseSecrets(
        namespace,
        held.map((h) => h.name),
      )) && settled;
    if (account?.metadata.deletionTimestamp && hasFinalizer(account))
      settled = (await this.setFinalizer('natsaccounts', account, false)) && settled;
    return settled ? {} : { requeueAfterMs: CONFLICT_RETRY_MS };
  }

  /** Deleting credentials Secrets whose keys every server now refuses: their finalizer goes. */
  private releaseSecrets(namespace: string, names: string[]): Promise<boolean> {
    const secrets = names
      .map((name) => this.ctx.readers.secrets.get(name, namespace))
      .filter((secret): secret is V1Secret => !!secret);
    return this.setFinalizers('secrets', secrets, false);
  }

  /** Several at once (a new account's users arrive together); false when any moved on. */
  private async setFinalizers(
    plural: FinalizedPlural,
    objects: Finalized[],
    present: boolean,
  ): Promise<boolean> {
    let all = true;
    await forEachBounded(objects, FINALIZERS_AT_ONCE, async (o) => {
      all = (await this.setFinalizer(plural, o, present)) && all;
    });
    return all;
  }

  /** False when the object moved on since the cache saw it: the caller requeues and decides again. */
  private async setFinalizer(plural: FinalizedPlural, o: Finalized, present: boolean): Promise<boolean> {
    const others = (o.metadata?.finalizers ?? []).filter((f) => f !== REVOKE_FINALIZER);
    try {
      await this.ctx.kube.patchFinalizers(
        plural,
        o.metadata?.namespace ?? 'default',
        o.metadata?.name ?? '',
        o.metadata?.resourceVersion,
        present ? [...others, REVOKE_FINALIZER] : others,
      );
      return true;
    } catch (error) {
      const kind = classify(error);
      if (kind === 'NotFound') return true;
      if (kind === 'Conflict') return false;
      throw error;
    }
  }

  /** Signs (only when no server holds the spec), pushes to the servers that are behind, then asks every server. */
  private async distribute(
    cluster: NatsCluster,
    account: NatsAccount,
    keys: JwtKeys,
    revocations: Record<string, number>,
    accounts: NatsAccount[],
  ): Promise<Outcome> {
    const read = this.ctx.readers;
    const ns = cluster.metadata.namespace ?? 'default';
    const names = childNames(cluster.metadata.name);
    const accountName = accountNameOf(account);
    const { operatorSigningSeed, systemUserCreds: systemCreds } = keys;
    // A key stored for another NatsAccount of the same name (deleted, name taken again) is not ours:
    // the cluster controller generates a new one.
    const owner = keys.accountOwners[accountName];
    const ours = !owner || owner === account.metadata.uid;
    const seed = ours ? keys.accountSeeds[accountName] : undefined;
    if (!operatorSigningSeed || !systemCreds || !seed)
      return {
        ready: false,
        reason: 'KeyPending',
        message: `NatsCluster ${cluster.metadata.name} has not generated this account's key yet`,
      };
    const key = identityOf(keyPairOf({ seed, publicKey: '' }));
    // The operator's signing key when the cluster has one (listed in its operator JWT); clusters
    // made before it existed keep signing with the identity key their servers trust (jwtKeysOf).
    const operator = identityOf(keyPairOf({ seed: operatorSigningSeed, publicKey: '' }));
    const activation = activationIssuer(accounts, keys.accountSeeds, key.publicKey);
    const signed = await accountJwt(operator, key, account, keys.accountPublicKeys, revocations, activation);
    const wanted = claimsKey(signed) ?? '';

    const ca = decode(read.secrets.get(names.trustBundle, ns), 'ca.crt');
    const pods = serverPods(read.pods.list(ns), cluster.metadata.name);
    const servers = pods.map((p) => p.status?.podIP as string).sort();
    const replicas = cluster.spec.replicas;
    if (!ca || !servers.length)
      return {
        ready: false,
        reason: 'ServersNotReady',
        message: `NatsCluster ${cluster.metadata.name} has no running server to push to yet`,
        publicKey: key.publicKey,
      };
    const ask = { servers: replicas, timeoutMs: ASK_TIMEOUT_MS };
    const accountKey = `${ns}/${account.metadata.name}`;
    const inputs = verifiedInputs(wanted, account, replicas, pods, ca);
    const verified = this.verified.get(accountKey);
    if (
      verified?.inputs === inputs &&
      Date.now() - verified.at < VERIFIED_FOR_MS &&
      'jwt' in verified.outcome &&
      !halfExpired(verified.outcome.jwt, Date.now() / 1000)
    )
      return verified.outcome;
    this.verified.delete(accountKey);
    try {
      const nc = await this.systemConnection(cluster, servers, ca, systemCreds);
      let plan =
        planFromStored(
          wanted,
          await storedJwts(nc, key.publicKey, ask),
          pods.map((p) => p.metadata?.name ?? ''),
        ) ?? planDistribution(wanted, await accountJwtHeld(nc, key.publicKey, ask));
      if (!plan.current || plan.behind.length || plan.holding.length < replicas) {
        const jwt = plan.current ?? signed;
        const replies = await pushAccountJwt(nc, jwt, ask);
        this.ctx.metrics.accountPushes.inc();
        const refused = replies.filter((r) => !r.ok);
        if (refused.length)
          this.ctx.log.warn(
            { natsaccount: accountKey, refused: refused.map((r) => r.server) },
            'servers refused the account JWT',
          );
        // A full resolver's "jwt updated" means the server wrote exactly this JWT to its store
        // (server/accounts.go, $SYS.REQ.CLAIMS.UPDATE -> DirJWTStore.save, which never compares
        // issue times): when every server says so, asking again would only repeat it.
        const stored = new Set(replies.filter((r) => r.ok && r.serverId).map((r) => r.serverId));
        plan =
          stored.size >= replicas && !refused.length
            ? { current: jwt, holding: replies.map((r) => r.server), behind: [] }
            : planDistribution(wanted, await accountJwtHeld(nc, key.publicKey, ask));
      }
      const current = plan.holding.length;
      const answered = current + plan.behind.length;
      const ready = !!plan.current && current >= replicas;
      const outcome: Outcome = {
        ready,
        reason: ready ? 'Distributed' : 'Distributing',
        message: ready
          ? `all ${current} servers hold the current account JWT`
          : `${current} of ${replicas} servers hold the current account JWT (${answered} answered)`,
        publicKey: key.publicKey,
        jwt: plan.current ?? signed,
        servers: answered,
        current,
      };
      if (ready) this.verified.set(accountKey, { inputs, at: Date.now(), outcome });
      return outcome;
    } catch (error) {
      return {
        ready: false,
        reason: 'ServersUnreachable',
        message: `cannot reach NatsCluster ${cluster.metadata.name} as the system user: ${(error as Error).message}`,
        publicKey: key.publicKey,
      };
    }
  }

  /** The pooled connection to the cluster's servers as the system user. */
  private systemConnection(cluster: NatsCluster, servers: string[], ca: string, creds: string) {
    const ns = cluster.metadata.namespace ?? 'default';
    const names = childNames(cluster.metadata.name);
    // The client listener may require a certificate from the cluster's CA; the operator presents
    // the routes certificate, which it already holds and which carries the client-auth usage.
    const routes = this.ctx.readers.secrets.get(names.routesSecret, ns);
    const cert = decode(routes, 'tls.crt');
    const certKey = decode(routes, 'tls.key');
    return this.connections.get(`${ns}/${cluster.metadata.name}`, {
      servers: servers.map((ip) => `tls://${ip}:4222`),
      ca,
      creds,
      servername: `${names.clientService}.${ns}.svc`,
      ...(cert && certKey ? { cert: { cert, key: certKey } } : {}),
    });
  }

  /**
   * A deleted account, once every server holds its JWT revoking every user: with the resolver's
   * allow_delete, its JWT is removed from every server's store too (ADR 8). A refusal is reported
   * (Warning Event) but does not keep the account: its users are revoked everywhere already.
   */
  private async removeFromResolvers(
    cluster: NatsCluster,
    account: NatsAccount,
    keys: JwtKeys,
    publicKey: string,
  ) {
    if (!cluster.spec.auth.jwt?.resolver?.allowDelete || !keys.operatorSigningSeed || !keys.systemUserCreds)
      return;
    const ns = cluster.metadata.namespace ?? 'default';
    const ca = decode(
      this.ctx.readers.secrets.get(childNames(cluster.metadata.name).trustBundle, ns),
      'ca.crt',
    );
    const servers = podAddresses(this.ctx.readers.pods.list(ns), cluster.metadata.name);
    let problem: string | undefined;
    try {
      const nc = await this.systemConnection(cluster, servers, ca ?? '', keys.systemUserCreds);
      const operator = keyPairOf({ seed: keys.operatorSigningSeed, publicKey: '' });
      const ask = { servers: cluster.spec.replicas, timeoutMs: ASK_TIMEOUT_MS };
      const replies = await deleteAccountJwts(nc, operator, [publicKey], ask);
      const refused = replies.filter((r) => !r.ok);
      if (refused.length || replies.length < cluster.spec.replicas)
        problem = `${replies.length - refused.length} of ${cluster.spec.replicas} servers removed it${refused.map((r) => `; ${r.server}: ${r.message}`).join('')}`;
    } catch (error) {
      problem = (error as Error).message;
    }
    if (problem)
      await this.ctx.events.record(
        { ...account, apiVersion: 'natswarden.io/v1alpha1', kind: 'NatsAccount' },
        'Warning',
        'ResolverDeleteFailed',
        `the account JWT (every user revoked) stays on some servers: ${problem}`,
      );
  }

  private async write(account: NatsAccount, status: Status): Promise<void> {
    const next = { ...status, observedGeneration: account.metadata.generation };
    await writeStatus(this.ctx, 'NatsAccount', account, next, ['Degraded', 'Ready']);
  }
}

/** The status with its Ready condition set from an outcome. */
const withReady = (
  base: Status,
  account: NatsAccount,
  outcome: { ready: boolean; reason: string; message: string },
  now: string,
): Status => ({
  ...base,
  conditions: setConditions(
    base.conditions,
    [cond('Ready', outcome.ready, outcome.reason, outcome.message)],
    now,
    account.metadata.generation,
  ),
});

/** What a verified distribution was decided from; any change means asking the servers again. */
const verifiedInputs = (wanted: string, account: NatsAccount, replicas: number, pods: V1Pod[], ca: string) =>
  createHash('sha256')
    .update(
      JSON.stringify([
        wanted,
        replicas,
        account.metadata.uid,
        account.metadata.generation,
        account.metadata.annotations ?? {},
        pods.map((p) => [p.metadata?.uid, p.metadata?.resourceVersion]).sort(),
        ca,
      ]),
    )
    .digest('hex');

const podAddresses = (pods: V1Pod[], cluster: string): string[] =>
  serverPods(pods, cluster)
    .map((p) => p.status?.podIP as string)
    .sort();

/**
 * Tokens for imports of exports limited to some accounts: signed by the exporting account for this
 * one. Membership has already left out an account importing what is not offered to it.
 */
function activationIssuer(
  accounts: NatsAccount[],
  seeds: Record<string, string>,
  importer: string,
): ActivationIssuer {
  return async (from, kind, subject) => {
    const exporter = accounts.find((a) => accountNameOf(a) === from);
    const covering = (exporter?.spec.exports ?? []).filter((e) => {
      const offered = kind === 'stream' ? e.stream : e.service;
      return offered !== undefined && subjectCovers(offered, subject);
    });
    const seed = seeds[from];
    if (!seed || !covering.length || covering.some((e) => !e.accounts?.length)) return undefined;
    return activationToken(identityOf(keyPairOf({ seed, publicKey: '' })), importer, kind, subject);
  };
}
