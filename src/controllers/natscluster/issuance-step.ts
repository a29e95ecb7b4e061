// One reconcile's look at cert-manager: why any of the cluster's or its users' Certificates is not
// issued (issuance.ts decides), and a new issuance asked for where one is due (an Event each time).
// Returns the cluster's own problem, if any, and each user certificate's state for its NatsUser.
import type { Certificate } from '../../api/cert-manager.ts';
import type { NatsCluster, NatsUser } from '../../api/index.ts';
import { classify } from '../../k8s/errors.ts';
import type { EventTarget } from '../../k8s/events.ts';
import { asEventTarget } from './status-writer.ts';
import { childNames, clientCertificateName } from '../../render/index.ts';
import type { ControllerContext } from '../../runtime/controller.ts';
import type { NatsClusterWatches } from './controller.ts';
import {
  issuanceProblem,
  manualIssuanceConditions,
  nextLookMs,
  type IssuanceProblem,
  type IssuerView,
} from './issuance.ts';
import type { UserCertificate } from './member-status.ts';

export interface IssuanceOutcome {
  problem?: { reason: string; message: string };
  /** NatsUser name -> its client certificate's state (users with one only). */
  userCertificates: Map<string, UserCertificate>;
  /** When to look again for a pending retry; infinite when nothing is pending. */
  requeueAfterMs: number;
}

type Context = ControllerContext<NatsClusterWatches>;

const LOOK_AGAIN_MS = 30_000;
const isReady = (cert: Certificate) =>
  cert.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

export async function superviseIssuance(
  ctx: Context,
  cluster: NatsCluster,
  users: NatsUser[],
): Promise<IssuanceOutcome> {
  const ns = cluster.metadata.namespace ?? 'default';
  const names = childNames(cluster.metadata.name);
  const now = Date.now();
  const requests = ctx.readers.certificateRequests.list(ns);
  const issuer = issuerView(ctx, cluster);
  const bootstrapIssuer: IssuerView = { ref: `Issuer ${names.selfSignedIssuer}`, bootstrapped: true };
  const clusterTarget = asEventTarget(cluster, 'NatsCluster');
  const owned = [
    ...(cluster.spec.tls.issuerRef ? [] : [{ name: names.caCertificate, issuer: bootstrapIssuer }]),
    { name: names.serverCertificate, issuer },
    { name: names.routesCertificate, issuer },
  ];
  const clusterProblems: IssuanceProblem[] = [];
  for (const { name, issuer: issuedBy } of owned) {
    const cert = ctx.readers.certificates.get(name, ns);
    const problem = cert && issuanceProblem(cert, requests, issuedBy, now);
    if (!cert || !problem) continue;
    clusterProblems.push(problem);
    if (problem.renewNow) await requestIssuance(ctx, clusterTarget, cert, problem);
  }
  const userProblems: IssuanceProblem[] = [];
  const userCertificates = new Map<string, UserCertificate>();
  for (const user of users) {
    const cert = ctx.readers.certificates.get(clientCertificateName(user), ns);
    if (!cert) continue;
    const problem = issuanceProblem(cert, requests, issuer, now);
    if (problem?.renewNow) await requestIssuance(ctx, asEventTarget(user, 'NatsUser'), cert, problem);
    if (problem) userProblems.push(problem);
    userCertificates.set(user.metadata.name, { ...(problem ? { problem } : {}), issued: isReady(cert) });
  }
  const [first] = clusterProblems;
  return {
    userCertificates,
    ...(first
      ? { problem: { reason: first.reason, message: clusterProblems.map((p) => p.message).join('; ') } }
      : {}),
    // Nothing wrong: no reason of its own to look again (the reconciler's resync decides).
    requeueAfterMs:
      clusterProblems.length || userProblems.length
        ? nextLookMs([...clusterProblems, ...userProblems], now, LOOK_AGAIN_MS)
        : Number.POSITIVE_INFINITY,
  };
}

/** The issuer the leaves name: the user's (spec.tls.issuerRef) or the bootstrapped CA Issuer. */
function issuerView(ctx: Context, cluster: NatsCluster): IssuerView {
  const ref = cluster.spec.tls.issuerRef;
  if (!ref) return { ref: `Issuer ${childNames(cluster.metadata.name).caIssuer}`, bootstrapped: true };
  const kind = ref.kind ?? 'Issuer';
  // An external issuer type (another API group) has a status shape of its own: not judged here.
  if (ref.group && ref.group !== 'cert-manager.io') return { ref: `${kind} ${ref.name}`, bootstrapped: true };
  const object =
    kind === 'ClusterIssuer'
      ? ctx.readers.clusterIssuers.get(ref.name)
      : ctx.readers.issuers.get(ref.name, cluster.metadata.namespace ?? 'default');
  return { ref: `${kind} ${ref.name}`, bootstrapped: false, ...(object ? { object } : {}) };
}

async function requestIssuance(
  ctx: Context,
  owner: EventTarget,
  cert: Certificate,
  problem: IssuanceProblem,
): Promise<void> {
  const ns = cert.metadata?.namespace ?? 'default';
  const name = cert.metadata?.name ?? '';
  try {
    await ctx.kube.requestIssuance(
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
  ctx.log.info({ certificate: `${ns}/${name}`, attempt: problem.attempt }, message);
  await ctx.events.record(owner, 'Warning', 'IssuanceRetried', message);
}
