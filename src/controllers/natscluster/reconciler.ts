// Reconciles one NatsCluster: read the caches, render, apply, write status. Level-based and
// idempotent: it receives only a key and makes the world match the spec, whatever happened before.
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  validateAgainst,
  NatsCluster as NatsClusterSchema,
  type NatsAccount,
  type NatsCluster,
  type NatsUser,
} from '../../api/index.ts';
import type { Kube } from '../../k8s/client.ts';
import { classify } from '../../k8s/errors.ts';
import type { Certificate, CertificateRequest, ClusterIssuer, Issuer } from '../../api/cert-manager.ts';
import type { EventRecorder, EventTarget } from '../../k8s/events.ts';
import type { Cache } from '../../k8s/informers.ts';
import {
  crossResourceProblems,
  membersOf,
  renderCluster,
  RenderError,
  TEMPLATE_HASH_ANNOTATION,
  clientCertificateName,
  clientCertificateSecretName,
  type RenderContext,
} from '../../render/index.ts';
import { renderCaBootstrap, renderLeafCertificates } from '../../render/certificates.ts';
import { childNames } from '../../render/names.ts';
import type { Logger } from '../../runtime/logger.ts';
import type { OperatorMetrics } from '../../runtime/metrics.ts';
import { findCondition, sameJson } from '../../status/conditions.ts';
import { adoptionPatch, pendingAdoptions, type Adoption } from './adopt.ts';
import { ensureIdentities, identitiesSecretName } from './identities.ts';
import { observeCertificate, observeRollout } from './observe.ts';
import { rollStep, type RollOutcome } from './roll-step.ts';
import {
  issuanceProblem,
  manualIssuanceConditions,
  nextLookMs,
  type IssuanceProblem,
  type IssuerView,
} from './issuance.ts';
import { clusterStatus, userCertificateStatus, type ClusterObservation } from './status.ts';
import { nextTrustBundle } from './trust-bundle.ts';
import { ConfigValidator, configFilesFor } from './validate.ts';

export interface ClusterCaches {
  clusters: Cache;
  accounts: Cache;
  users: Cache;
  certificates: Cache;
  certificateRequests: Cache;
  issuers: Cache;
  clusterIssuers: Cache;
  secrets: Cache;
  statefulSets: Cache;
  pods: Cache;
}

export interface ReconcilerOptions {
  clusterDomain: string;
  defaultImage: string;
  operatorImage: string;
  /** How long a replaced pod may stay unhealthy before the roll is declared blocked. */
  rollTimeoutMs?: number;
}

export interface Result {
  requeueAfterMs?: number;
}

const WAIT_MS = 3_000;
const objectKey = (o: KubernetesObject) => `${o.kind}/${o.metadata?.name}`;
const RESYNC_MS = 5 * 60_000;
const isReady = (cert: Certificate) =>
  cert.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const asEventTarget = (o: { metadata: EventTarget['metadata'] }, kind: string): EventTarget => ({
  apiVersion: 'natswarden.io/v1alpha1',
  kind,
  metadata: o.metadata,
});
const decode = (s: KubernetesObject | undefined, key: string) => {
  const value = (s as { data?: Record<string, string> } | undefined)?.data?.[key];
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
};

export class NatsClusterReconciler {
  private readonly kube: Kube;
  private readonly caches: ClusterCaches;
  private readonly events: EventRecorder;
  private readonly metrics: OperatorMetrics;
  private readonly log: Logger;
  private readonly options: ReconcilerOptions;
  private readonly validator = new ConfigValidator();
  private warnedNoValidator = false;

  constructor(
    kube: Kube,
    caches: ClusterCaches,
    events: EventRecorder,
    metrics: OperatorMetrics,
    log: Logger,
    options: ReconcilerOptions,
  ) {
    this.kube = kube;
    this.caches = caches;
    this.events = events;
    this.metrics = metrics;
    this.log = log;
    this.options = options;
  }

  async reconcile(key: string): Promise<Result> {
    const [namespace = 'default', name = ''] = key.split('/');
    const raw = this.caches.clusters.get(name, namespace);
    if (!raw) return {}; // deleted: owner references let the garbage collector remove the children
    const checked = validateAgainst<NatsCluster>(NatsClusterSchema, raw);
    if (!checked.ok) {
      const message = checked.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
      return this.finish(raw as NatsCluster, {
        degraded: { reason: 'InvalidSpec', message },
        certificates: [],
        configApplied: false,
        rollout: observeRollout(undefined, 0),
      });
    }
    const cluster = checked.value;
    const members = membersOf(
      cluster,
      this.caches.accounts.list(namespace) as NatsAccount[],
      this.caches.users.list(namespace) as NatsUser[],
    );
    const rolloutNow = () =>
      observeRollout(
        this.caches.statefulSets.get(childNames(name).statefulSet, namespace),
        cluster.spec.replicas,
      );
    const degraded = (reason: string, message: string) =>
      this.finish(cluster, {
        degraded: { reason, message },
        certificates: [],
        configApplied: false,
        rollout: rolloutNow(),
      });

    const problems = crossResourceProblems(cluster, members);
    if (problems.length) return degraded('InvalidSpec', problems.join('; '));

    const names = childNames(name);
    // The auth Secrets are applied after the identities Secret and arrive through the same watch,
    // so seeing one means the identities Secret was there too.
    const handedOut = [names.authSecret, names.routesAuthSecret].some(
      (secret) => this.caches.secrets.get(secret, namespace) !== undefined,
    );
    const identities = await ensureIdentities(
      cluster,
      members.accounts,
      members.users,
      this.caches.secrets.get(identitiesSecretName(cluster), namespace) as never,
      handedOut,
    );
    if (identities.kind === 'lost') return degraded('IdentitiesMissing', identities.message);
    if (identities.secret) await this.kube.apply(identities.secret as KubernetesObject);

    // Certificates go first: the workload waits for them. The full apply below skips them.
    const pki = [
      ...renderCaBootstrap(cluster),
      ...renderLeafCertificates(cluster, this.contextFor(cluster, identities.secrets, '', {})),
    ] as KubernetesObject[];
    for (const object of pki) await this.kube.apply(object);
    const appliedEarly = new Set(pki.map(objectKey));
    const issuance = await this.superviseIssuance(cluster, members.users);
    const certificates = [
      observeCertificate(
        'server',
        names.serverCertificate,
        this.caches.certificates.get(names.serverCertificate, namespace) as never,
        this.caches.secrets.get(names.serverSecret, namespace) as never,
      ),
      observeCertificate(
        'routes',
        names.routesCertificate,
        this.caches.certificates.get(names.routesCertificate, namespace) as never,
        this.caches.secrets.get(names.routesSecret, namespace) as never,
      ),
    ];
    this.recordExpiry(cluster, certificates);
    if (!certificates.every((c) => c.ready)) {
      await this.finish(cluster, {
        certificates,
        ...(issuance.problem ? { certificateProblem: issuance.problem } : {}),
        configApplied: false,
        rollout: rolloutNow(),
      });
      return { requeueAfterMs: issuance.requeueAfterMs };
    }

    await this.adoptCertificateSecrets(cluster, members.users);
    const trustBundle = this.trustBundle(cluster);
    if (!trustBundle)
      return degraded(
        'TrustBundleUnavailable',
        `the CA certificate of ${cluster.spec.tls.issuerRef ? `issuer ${cluster.spec.tls.issuerRef.name}` : `Secret ${names.caSecret}`} is not readable yet`,
      );
    const revisions = Object.fromEntries(certificates.map((c) => [c.role, c.revision]));
    const context = this.contextFor(cluster, identities.secrets, trustBundle, revisions);
    let objects: object[];
    let roll: RollOutcome;
    const statefulSet = this.caches.statefulSets.get(names.statefulSet, namespace) as
      { spec?: { updateStrategy?: { rollingUpdate?: { partition?: number } } } } | undefined;
    try {
      // First pass: learn the desired pod template's hash; then plan the roll and render for real.
      const desired = renderCluster(cluster, members, context);
      const desiredStatefulSet = desired.find(
        (o) => (o as { kind: string }).kind === 'StatefulSet',
      ) as KubernetesObject;
      roll = await rollStep({
        cluster,
        clusterDomain: this.options.clusterDomain,
        trustBundle,
        certificates,
        desiredTemplateHash: desiredStatefulSet.metadata?.annotations?.[TEMPLATE_HASH_ANNOTATION] ?? '',
        statefulSet: statefulSet as never,
        pods: this.caches.pods
          .list(namespace)
          .filter((p) => p.metadata?.labels?.['app.kubernetes.io/instance'] === name) as never,
        timeoutMs: this.options.rollTimeoutMs ?? 120_000,
        now: Date.now(),
      });
      objects = renderCluster(cluster, members, {
        ...context,
        partition: roll.partition,
        ...(roll.verifiedKey ? { verifiedKey: roll.verifiedKey } : {}),
      });
    } catch (error) {
      if (error instanceof RenderError) return degraded('InvalidSpec', error.message);
      throw error;
    }
    const leafSecrets = Object.fromEntries(
      [names.serverSecret, names.routesSecret].map((s) => [
        s,
        (this.caches.secrets.get(s, namespace) as { data?: Record<string, string> } | undefined)?.data,
      ]),
    );
    const verdict = await this.validator.validate(
      key,
      configFilesFor(cluster, objects, leafSecrets, this.options.clusterDomain),
    );
    if (verdict.ok === false)
      return degraded(
        'ConfigRejected',
        `nats-server rejects the rendered configuration, so nothing was applied: ${verdict.message}`,
      );
    if (verdict.ok === 'skipped' && !this.warnedNoValidator) {
      this.warnedNoValidator = true;
      this.log.warn(verdict.message);
    }
    for (const object of objects as KubernetesObject[]) {
      if (!appliedEarly.has(objectKey(object))) await this.kube.apply(object);
    }
    if (statefulSet && roll.partition !== (statefulSet.spec?.updateStrategy?.rollingUpdate?.partition ?? 0)) {
      await this.events.record(cluster, 'Normal', 'RollStep', `partition ${roll.partition}: ${roll.message}`);
    }

    const rollout = rolloutNow();
    await this.finish(cluster, {
      certificates,
      ...(issuance.problem ? { certificateProblem: issuance.problem } : {}),
      configApplied: true,
      rollout,
      roll,
    });
    const settled = roll.phase === 'Idle' && rollout.rolledOut;
    return { requeueAfterMs: Math.min(settled ? RESYNC_MS : WAIT_MS, issuance.requeueAfterMs) };
  }

  /**
   * Reads why any of the cluster's or its users' Certificates is not issued (issuance.ts), asks
   * cert-manager for a new issuance where one is due (an Event each time), and reports user
   * certificate problems on the NatsUser. Returns the cluster's own problem, if any.
   */
  private async superviseIssuance(
    cluster: NatsCluster,
    users: NatsUser[],
  ): Promise<{ problem?: { reason: string; message: string }; requeueAfterMs: number }> {
    const ns = cluster.metadata.namespace ?? 'default';
    const names = childNames(cluster.metadata.name);
    const now = Date.now();
    const requests = this.caches.certificateRequests.list(ns) as CertificateRequest[];
    const issuer = this.issuerView(cluster);
    const bootstrapIssuer: IssuerView = { ref: `Issuer ${names.selfSignedIssuer}`, bootstrapped: true };
    const certificate = (name: string) => this.caches.certificates.get(name, ns) as Certificate | undefined;
    const owned = [
      ...(cluster.spec.tls.issuerRef ? [] : [{ name: names.caCertificate, issuer: bootstrapIssuer }]),
      { name: names.serverCertificate, issuer },
      { name: names.routesCertificate, issuer },
    ];
    const clusterProblems: IssuanceProblem[] = [];
    for (const { name, issuer: issuedBy } of owned) {
      const cert = certificate(name);
      const problem = cert && issuanceProblem(cert, requests, issuedBy, now);
      if (!cert || !problem) continue;
      clusterProblems.push(problem);
      if (problem.renewNow) await this.requestIssuance(cluster, cert, problem);
    }
    const userProblems: IssuanceProblem[] = [];
    for (const user of users) {
      const cert = certificate(clientCertificateName(user));
      const problem = cert ? issuanceProblem(cert, requests, issuer, now) : undefined;
      if (cert && problem?.renewNow)
        await this.requestIssuance(asEventTarget(user, 'NatsUser'), cert, problem);
      if (problem) userProblems.push(problem);
      if (cert) await this.writeUserCertificateStatus(user, problem, isReady(cert));
    }
    const [first] = clusterProblems;
    return {
      ...(first
        ? { problem: { reason: first.reason, message: clusterProblems.map((p) => p.message).join('; ') } }
        : {}),
      requeueAfterMs: nextLookMs([...clusterProblems, ...userProblems], now, WAIT_MS * 10),
    };
  }

  /** The issuer the leaves name: the user's (spec.tls.issuerRef) or the bootstrapped CA Issuer. */
  private issuerView(cluster: NatsCluster): IssuerView {
    const ref = cluster.spec.tls.issuerRef;
    if (!ref) return { ref: `Issuer ${childNames(cluster.metadata.name).caIssuer}`, bootstrapped: true };
    const kind = ref.kind ?? 'Issuer';
    if (ref.group && ref.group !== 'cert-manager.io')
      return { ref: `${kind} ${ref.name}`, bootstrapped: true };
    const object =
      kind === 'ClusterIssuer'
        ? (this.caches.clusterIssuers.get(ref.name) as ClusterIssuer | undefined)
        : (this.caches.issuers.get(ref.name, cluster.metadata.namespace ?? 'default') as Issuer | undefined);
    return { ref: `${kind} ${ref.name}`, bootstrapped: false, ...(object ? { object } : {}) };
  }

  private async requestIssuance(
    owner: EventTarget,
    cert: Certificate,
    problem: IssuanceProblem,
  ): Promise<void> {
    const ns = cert.metadata?.namespace ?? 'default';
    const name = cert.metadata?.name ?? '';
    try {
      await this.kube.requestIssuance(
        ns,
        name,
        cert.metadata?.resourceVersion ?? '',
        manualIssuanceConditions(cert, Date.now()),
      );
    } catch (error) {
      // The Certificate changed meanwhile: its next event brings a fresh look.
      if (classify(error) === 'Conflict' || classify(error) === 'NotFound') return;
      throw error;
    }
    const message = `asked cert-manager to issue Certificate ${name} again after ${problem.attempt} failed attempt(s)`;
    this.log.info({ certificate: `${ns}/${name}`, attempt: problem.attempt }, message);
    await this.events.record(owner, 'Warning', 'IssuanceRetried', message);
  }

  /** A user's client certificate problem shows on the NatsUser (Degraded, CertificateReady). */
  private async writeUserCertificateStatus(
    user: NatsUser,
    problem: IssuanceProblem | undefined,
    issued: boolean,
  ) {
    const status = userCertificateStatus(user, problem, issued, new Date().toISOString());
    if (sameJson(status, user.status ?? {})) return;
    try {
      await this.kube.patchStatus(
        'natswarden.io',
        'v1alpha1',
        'natsusers',
        user.metadata.namespace ?? 'default',
        user.metadata.name,
        status,
      );
    } catch (error) {
      if (classify(error) === 'NotFound') return;
      throw error;
    }
    const before = findCondition(user.status?.conditions, 'Degraded');
    const after = findCondition(status.conditions, 'Degraded');
    if (after && before?.status !== after.status && (before || after.status === 'True'))
      await this.events.record(
        asEventTarget(user, 'NatsUser'),
        after.status === 'True' ? 'Warning' : 'Normal',
        after.reason,
        after.message,
      );
  }

  private contextFor(
    cluster: NatsCluster,
    secrets: RenderContext['secrets'],
    trustBundle: string,
    revisions: RenderContext['certificateRevisions'],
  ): RenderContext {
    return { ...this.options, secrets, trustBundle, certificateRevisions: revisions };
  }

  /** Puts owner references on the Secrets cert-manager wrote, so deletion removes them (adopt.ts). */
  private async adoptCertificateSecrets(cluster: NatsCluster, users: NatsUser[]): Promise<void> {
    const ns = cluster.metadata.namespace ?? 'default';
    const names = childNames(cluster.metadata.name);
    const owner = { ...cluster, apiVersion: 'natswarden.io/v1alpha1', kind: 'NatsCluster' };
    const adoptions: Adoption[] = [
      names.serverSecret,
      names.routesSecret,
      ...(cluster.spec.tls.issuerRef ? [] : [names.caSecret]),
    ].map((secretName) => ({ secretName, owner }));
    for (const user of users)
      adoptions.push({
        secretName: clientCertificateSecretName(user),
        owner: { ...user, apiVersion: 'natswarden.io/v1alpha1', kind: 'NatsUser' },
      });
    for (const adoption of pendingAdoptions(adoptions, (name) => this.caches.secrets.get(name, ns))) {
      await this.kube.apply(adoptionPatch(ns, adoption));
    }
  }

  /** Current CA plus the previous one while leaves still carry it (see trust-bundle.ts). */
  private trustBundle(cluster: NatsCluster): string | undefined {
    const ns = cluster.metadata.namespace ?? 'default';
    const names = childNames(cluster.metadata.name);
    const leafCas = [names.serverSecret, names.routesSecret].map(
      (s) => decode(this.caches.secrets.get(s, ns), 'ca.crt') ?? '',
    );
    // Without a bootstrapped CA, the issuer's CA is what the leaves name as their issuer.
    const currentCa = cluster.spec.tls.issuerRef
      ? leafCas[0]
      : decode(this.caches.secrets.get(names.caSecret, ns), 'tls.crt');
    if (!currentCa) return undefined;
    const today = decode(this.caches.secrets.get(names.trustBundle, ns), 'ca.crt');
    return nextTrustBundle(currentCa, today, leafCas);
  }

  private recordExpiry(cluster: NatsCluster, certificates: { name: string; notAfter?: string }[]): void {
    for (const c of certificates) {
      if (!c.notAfter) continue;
      this.metrics.certificateExpiry.set(
        {
          namespace: cluster.metadata.namespace ?? 'default',
          cluster: cluster.metadata.name,
          certificate: c.name,
        },
        Date.parse(c.notAfter) / 1000,
      );
    }
  }

  /** Writes status only when it changed; records an Event when Ready or Degraded flips. */
  private async finish(cluster: NatsCluster, seen: ClusterObservation): Promise<Result> {
    const status = clusterStatus(cluster, seen, new Date().toISOString());
    if (sameJson(status, cluster.status ?? {})) return seen.degraded ? { requeueAfterMs: RESYNC_MS } : {};
    const ns = cluster.metadata.namespace ?? 'default';
    try {
      await this.kube.patchStatus(
        'natswarden.io',
        'v1alpha1',
        'natsclusters',
        ns,
        cluster.metadata.name,
        status,
      );
    } catch (error) {
      if (classify(error) === 'NotFound') return {};
      throw error;
    }
    for (const type of ['Ready', 'Degraded']) {
      const before = findCondition(cluster.status?.conditions, type);
      const after = findCondition(status.conditions, type);
      if (
        after &&
        before?.status !== after.status &&
        !(type === 'Degraded' && after.status === 'False' && !before)
      ) {
        const warning = (type === 'Degraded') === (after.status === 'True');
        await this.events.record(cluster, warning ? 'Warning' : 'Normal', after.reason, after.message);
        this.log.info(
          {
            cluster: `${ns}/${cluster.metadata.name}`,
            condition: type,
            status: after.status,
            reason: after.reason,
          },
          'condition changed',
        );
      }
    }
    return seen.degraded ? { requeueAfterMs: RESYNC_MS } : {};
  }
}
