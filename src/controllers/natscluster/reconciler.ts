// Reconciles one NatsCluster. Level-based and idempotent: it receives only a key and makes the
// world match the spec, whatever happened before. One straight line of named steps:
//   observe -> plan the roll -> render once -> check the config -> apply -> status
// A step that cannot go on ends the reconcile with a status that says why (Stop).
import type { KubernetesObject } from '@kubernetes/client-node';
import { Gauge } from 'prom-client';
import {
  credentialsSecretNameOf,
  NatsCluster as NatsClusterSchema,
  validateAgainst,
  type NatsCluster,
  type NatsUser,
} from '../../api/index.ts';
import {
  childNames,
  crossResourceProblems,
  podTemplateHash,
  renderCaBootstrap,
  renderClusterObjects,
  renderLeafCertificates,
  type ClusterMembers,
  type RenderContext,
} from '../../render/index.ts';
import type { ControllerContext } from '../../runtime/controller.ts';
import { adoptCertificateSecrets, readTrustBundle } from './certificate-secrets.ts';
import type { NatsClusterWatches } from './controller.ts';
import { ensureIdentities, identitiesSecretName } from './identities.ts';
import { issuedCertificatePins } from './issued-pins.ts';
import { superviseIssuance, type IssuanceOutcome } from './issuance-step.ts';
import { someUserLoading, writeMemberStatuses } from './member-status-step.ts';
import { observeUserLoading } from './user-loading.ts';
import type { LoadedIncludes } from '../loaded-includes.ts';
import { permanentFailure } from './permanent-failure.ts';
import { observeCertificate, observeRollout, type CertificateObservation } from './observe.ts';
import { rollStep, type RollOutcome } from './roll-step.ts';
import { writeStatus } from './status-writer.ts';
import { clusterStatus, type ClusterObservation } from './status.ts';
import { ConfigValidator, configFilesFor } from './config-check.ts';
import { refreshMountedVolumes } from './volume-refresh.ts';
import { clusterMembers } from '../cluster-members.ts';
import { ownedBy, secretOrLive } from '../secret-lookup.ts';

export interface ReconcilerOptions {
  clusterDomain: string;
  defaultImage: string;
  operatorImage: string;
  /** The operator's namespace, admitted to the monitoring port by each cluster's NetworkPolicy. */
  operatorNamespace?: string;
  /** How long a replaced pod may stay unhealthy before the roll is declared blocked. */
  rollTimeoutMs?: number;
}

export interface Result {
  requeueAfterMs?: number;
}

/** What the observe step found, everything later steps need. */
interface Observed {
  members: ClusterMembers;
  identities: RenderContext['identities'];
  /** The Certificates and Issuers, applied first: the full apply skips them. */
  pki: KubernetesObject[];
  certificates: CertificateObservation[];
  issuance: IssuanceOutcome;
  trustBundle: string;
  /** spec.tls.client.pinIssuedCertificates: the keys of the client certificates issued so far. */
  issuedCertificatePins: string[];
  /** Config mode: some user is not loaded by every server yet (user-loading.ts). */
  usersLoading: boolean;
}

/** A step's verdict that the reconcile ends here, with this status. */
class Stop {
  readonly result: Promise<Result>;
  constructor(result: Promise<Result>) {
    this.result = result;
  }
}

const WAIT_MS = 3_000;
const RESYNC_MS = 5 * 60_000;
const objectKey = (o: KubernetesObject) => `${o.kind}/${o.metadata?.name}`;

export class NatsClusterReconciler {
  private readonly ctx: ControllerContext<NatsClusterWatches>;
  private readonly options: ReconcilerOptions;
  private readonly validator = new ConfigValidator();
  private readonly certificateExpiry: Gauge;
  private warnedNoValidator = false;

  /** Which auth include each server has loaded (Config mode), shared with the NatsAccount controller. */
  private readonly loadedIncludes: LoadedIncludes;

  constructor(
    ctx: ControllerContext<NatsClusterWatches>,
    options: ReconcilerOptions,
    loadedIncludes: LoadedIncludes,
  ) {
    this.ctx = ctx;
    this.options = options;
    this.loadedIncludes = loadedIncludes;
    this.certificateExpiry = new Gauge({
      name: 'nats_warden_certificate_expiry_timestamp_seconds',
      help: 'notAfter of each certificate, by cluster and certificate',
      labelNames: ['namespace', 'cluster', 'certificate'],
      registers: [ctx.metrics.registry],
    });
  }

  async reconcile(key: string): Promise<Result> {
    const [namespace = 'default', name = ''] = key.split('/');
    const raw = this.ctx.readers.clusters.get(name, namespace);
    if (!raw) {
      this.loadedIncludes.forget(key);
      return {}; // deleted: owner references let the garbage collector remove the children
    }
    try {
      const cluster = this.validSpec(raw);
      const observed = await this.observe(cluster);
      const roll = await this.planRoll(cluster, observed);
      const objects = this.render(cluster, observed, roll);
      await this.checkConfig(key, cluster, objects);
      await this.apply(cluster, observed, objects, roll);
      await refreshMountedVolumes(this.ctx, cluster, objects);
      return await this.report(cluster, observed, roll);
    } catch (error) {
      if (error instanceof Stop) return error.result;
      throw error;
    }
  }

  /** The spec as the schema defaults it; an invalid one stops here (InvalidSpec). */
  private validSpec(raw: NatsCluster): NatsCluster {
    const checked = validateAgainst<NatsCluster>(NatsClusterSchema, raw);
    if (checked.ok) return checked.value;
    const message = checked.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
    throw this.stop(raw, { degraded: { reason: 'InvalidSpec', message } });
  }

  /** Members, identities, certificates (applied first: the workload waits for them), trust bundle. */
  private async observe(cluster: NatsCluster): Promise<Observed> {
    const members = clusterMembers(cluster, this.ctx.readers.accounts, this.ctx.readers.users);
    const problems = crossResourceProblems(cluster, members);
    if (problems.length)
      throw this.stop(cluster, { degraded: { reason: 'InvalidSpec', message: problems.join('; ') } });
    const identities = await this.ensureIdentities(cluster, members);

    const pki = this.pkiObjects(cluster);
    for (const object of pki) await this.ctx.kube.apply(object);
    const issuance = await superviseIssuance(this.ctx, cluster, members.users);
    const loading = await observeUserLoading(
      this.ctx,
      this.loadedIncludes,
      cluster,
      members,
      identities,
      this.options.clusterDomain,
    );
    await writeMemberStatuses(this.ctx, cluster, members, issuance.userCertificates, loading);
    const certificates = this.observeCertificates(cluster);
    const problem = issuance.problem ? { certificateProblem: issuance.problem } : {};
    if (!certificates.every((c) => c.ready)) throw this.stop(cluster, { certificates, ...problem });

    await adoptCertificateSecrets(this.ctx, cluster, members.users);
    const trustBundle = readTrustBundle(this.ctx, cluster);
    if (!trustBundle) {
      const source = cluster.spec.tls.issuerRef
        ? `issuer ${cluster.spec.tls.issuerRef.name}`
        : `Secret ${childNames(cluster.metadata.name).caSecret}`;
      throw this.stop(cluster, {
        degraded: {
          reason: 'TrustBundleUnavailable',
          message: `the CA certificate of ${source} is not readable yet`,
        },
      });
    }
    const issuedPins = issuedCertificatePins(cluster, members.users, (name) =>
      this.ctx.readers.secrets.get(name, cluster.metadata.namespace ?? 'default'),
    );
    return {
      members,
      identities,
      pki,
      certificates,
      issuance,
      trustBundle,
      issuedCertificatePins: issuedPins,
      usersLoading: someUserLoading(loading, members),
    };
  }

  /** Generated once and kept forever; a lost identities Secret stops here (IdentitiesMissing). */
  /**
   * A user's own credentials Secret, decoded, when it belongs to that very NatsUser. A cache miss is
   * confirmed with the API server: a Secret written a moment ago and not yet in the cache must not
   * look lost (which would rotate the user).
   */
  private async readUserSecret(user: NatsUser): Promise<Record<string, string> | undefined> {
    const ns = user.metadata.namespace ?? 'default';
    const name = credentialsSecretNameOf(user);
    const secret = await secretOrLive(this.ctx, name, ns);
    if (!secret || (user.metadata.uid && !ownedBy(secret, user.metadata.uid))) return undefined;
    return Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
    );
  }

  private async ensureIdentities(cluster: NatsCluster, members: ClusterMembers) {
    const ns = cluster.metadata.namespace ?? 'default';
    const names = childNames(cluster.metadata.name);
    // The auth Secrets are applied after the identities Secret and arrive through the same watch,
    // so seeing one means the identities Secret was there too.
    const handedOut = [names.authSecret, names.routesAuthSecret].some(
      (secret) => this.ctx.readers.secrets.get(secret, ns) !== undefined,
    );
    const stored = this.ctx.readers.secrets.get(identitiesSecretName(cluster), ns);
    // JWT-mode Creds users get their keys from the NatsUser controller (controllers/natsuser).
    const jwt = cluster.spec.auth.mode === 'JWT';
    const outcome = await ensureIdentities(
      cluster,
      members.accounts,
      members.users.filter((u) => !(jwt && u.spec.authType === 'Creds')),
      stored ? { data: stored.data ?? {} } : undefined,
      handedOut,
      (user) => this.readUserSecret(user),
    );
    if (outcome.kind === 'lost')
      throw this.stop(cluster, { degraded: { reason: 'IdentitiesMissing', message: outcome.message } });
    if (outcome.secret) {
      try {
        await this.ctx.kube.apply(outcome.secret as KubernetesObject);
      } catch (error) {
        // Refused for good (say, beyond the API server's 1 MiB for a Secret): say so on the cluster.
        const failure = permanentFailure(error, objectKey(outcome.secret as KubernetesObject));
        if (!failure) throw error;
        throw this.stop(cluster, { degraded: failure });
      }
    }
    return outcome.identities;
  }

  /** The CA bootstrap and the leaf Certificates; they need nothing generated, only the domain. */
  private pkiObjects(cluster: NatsCluster): KubernetesObject[] {
    return [
      ...renderCaBootstrap(cluster),
      ...renderLeafCertificates(cluster, { clusterDomain: this.options.clusterDomain }),
    ] as KubernetesObject[];
  }

  private observeCertificates(cluster: NatsCluster): CertificateObservation[] {
    const ns = cluster.metadata.namespace ?? 'default';
    const names = childNames(cluster.metadata.name);
    const read = this.ctx.readers;
    const certificates = [
      ['server', names.serverCertificate, names.serverSecret],
      ['routes', names.routesCertificate, names.routesSecret],
    ].map(([role = '', certificate = '', secret = '']) =>
      observeCertificate(
        role,
        certificate,
        read.certificates.get(certificate, ns),
        read.secrets.get(secret, ns),
      ),
    );
    for (const c of certificates) {
      if (!c.notAfter) continue;
      this.certificateExpiry.set(
        { namespace: ns, cluster: cluster.metadata.name, certificate: c.name },
        Date.parse(c.notAfter) / 1000,
      );
    }
    return certificates;
  }

  /** The health-gated roll's next step, from the desired pod template's hash and the servers' state. */
  private async planRoll(cluster: NatsCluster, observed: Observed): Promise<RollOutcome> {
    const ns = cluster.metadata.namespace ?? 'default';
    const names = childNames(cluster.metadata.name);
    return rollStep({
      cluster,
      clusterDomain: this.options.clusterDomain,
      trustBundle: observed.trustBundle,
      certificates: observed.certificates,
      desiredTemplateHash: podTemplateHash(cluster, this.renderContext(observed)),
      statefulSet: this.ctx.readers.statefulSets.get(names.statefulSet, ns),
      pods: this.ctx.readers.pods
        .list(ns)
        .filter((p) => p.metadata?.labels?.['app.kubernetes.io/instance'] === cluster.metadata.name),
      timeoutMs: this.options.rollTimeoutMs ?? 120_000,
      now: Date.now(),
    });
  }

  private renderContext(observed: Observed, roll?: RollOutcome): RenderContext {
    return {
      ...this.options,
      identities: observed.identities,
      trustBundle: observed.trustBundle,
      issuedCertificatePins: observed.issuedCertificatePins,
      certificateRevisions: Object.fromEntries(observed.certificates.map((c) => [c.role, c.revision])),
      ...(roll ? { partition: roll.partition } : {}),
      ...(roll?.verifiedKey ? { verifiedKey: roll.verifiedKey } : {}),
      credsSecretsElsewhere: true,
    };
  }

  /** Every child, rendered once; the members were checked in observe. */
  private render(cluster: NatsCluster, observed: Observed, roll: RollOutcome): KubernetesObject[] {
    try {
      return renderClusterObjects(
        cluster,
        observed.members,
        this.renderContext(observed, roll),
      ) as KubernetesObject[];
    } catch (error) {
      const failure = permanentFailure(error);
      if (failure) throw this.stop(cluster, { degraded: failure });
      throw error;
    }
  }

  /** The real nats-server checks the rendered configuration; a rejected one is never applied. */
  private async checkConfig(key: string, cluster: NatsCluster, objects: KubernetesObject[]): Promise<void> {
    const ns = cluster.metadata.namespace ?? 'default';
    const names = childNames(cluster.metadata.name);
    const leafSecrets = Object.fromEntries(
      [names.serverSecret, names.routesSecret].map((s) => [s, this.ctx.readers.secrets.get(s, ns)?.data]),
    );
    const verdict = await this.validator.validate(
      key,
      configFilesFor(cluster, objects, leafSecrets, this.options.clusterDomain),
    );
    if (verdict.ok === false) {
      const message = `nats-server rejects the rendered configuration, so nothing was applied: ${verdict.message}`;
      throw this.stop(cluster, { degraded: { reason: 'ConfigRejected', message } });
    }
    if (verdict.ok === 'skipped' && !this.warnedNoValidator) {
      this.warnedNoValidator = true;
      this.ctx.log.warn(verdict.message);
    }
  }

  /**
   * Server-side apply of every child (the Certificates went first, in observe). An object the API
   * server refuses for good (422 Invalid, 403 Forbidden) stops here: ApplyRejected with the API
   * server's message, which names the field; retried on the next change or resync, not in a loop.
   */
  private async apply(
    cluster: NatsCluster,
    observed: Observed,
    objects: KubernetesObject[],
    roll: RollOutcome,
  ): Promise<void> {
    const appliedEarly = new Set(observed.pki.map(objectKey));
    for (const object of objects) {
      if (appliedEarly.has(objectKey(object)) || (await this.foreignUserSecret(object))) continue;
      try {
        await this.ctx.kube.apply(object);
      } catch (error) {
        const failure = permanentFailure(error, objectKey(object));
        if (!failure) throw error;
        throw this.stop(cluster, { degraded: failure }, {});
      }
    }
    const ns = cluster.metadata.namespace ?? 'default';
    const sts = this.ctx.readers.statefulSets.get(childNames(cluster.metadata.name).statefulSet, ns);
    if (sts && roll.partition !== (sts.spec?.updateStrategy?.rollingUpdate?.partition ?? 0))
      await this.ctx.events.record(
        { ...cluster, apiVersion: 'natswarden.io/v1alpha1', kind: 'NatsCluster' },
        'Normal',
        'RollStep',
        `partition ${roll.partition}: ${roll.message}`,
      );
  }

  /**
   * A user's credentials Secret whose name is taken by a Secret that is not that user's (a tenant's
   * own, say): never overwritten. The user's Ready condition says so (member-status-step.ts).
   */
  private async foreignUserSecret(object: KubernetesObject): Promise<boolean> {
    const meta = object.metadata;
    if (object.kind !== 'Secret' || meta?.labels?.['app.kubernetes.io/name'] !== 'nats-credentials')
      return false;
    const owner = meta.ownerReferences?.[0]?.uid;
    const name = meta.name ?? '';
    const namespace = meta.namespace ?? 'default';
    const existing = await secretOrLive(this.ctx, name, namespace);
    return !!existing && !ownedBy(existing, owner);
  }

  private async report(cluster: NatsCluster, observed: Observed, roll: RollOutcome): Promise<Result> {
    const rollout = this.rollout(cluster);
    await this.write(cluster, {
      certificates: observed.certificates,
      ...(observed.issuance.problem ? { certificateProblem: observed.issuance.problem } : {}),
      configApplied: true,
      rollout,
      roll,
    });
    const settled = roll.phase === 'Idle' && rollout.rolledOut && !observed.usersLoading;
    return { requeueAfterMs: Math.min(settled ? RESYNC_MS : WAIT_MS, observed.issuance.requeueAfterMs) };
  }

  private rollout(cluster: NatsCluster) {
    const sts = this.ctx.readers.statefulSets.get(
      childNames(cluster.metadata.name).statefulSet,
      cluster.metadata.namespace ?? 'default',
    );
    return observeRollout(sts, cluster.spec.replicas);
  }

  /**
   * Ends the reconcile with this status. Degraded: looked at again on any change or the resync;
   * otherwise (waiting for certificates) soon.
   */
  private stop(
    cluster: NatsCluster,
    seen: Partial<ClusterObservation>,
    result: Result = seen.degraded ? { requeueAfterMs: RESYNC_MS } : { requeueAfterMs: WAIT_MS },
  ): Stop {
    const observation: ClusterObservation = {
      certificates: [],
      configApplied: false,
      rollout: this.rollout(cluster),
      ...seen,
    };
    return new Stop(this.write(cluster, observation).then(() => result));
  }

  private async write(cluster: NatsCluster, seen: ClusterObservation): Promise<void> {
    const status = clusterStatus(cluster, seen, new Date().toISOString());
    await writeStatus(this.ctx, 'NatsCluster', cluster, status, ['Ready', 'Degraded']);
  }
}
