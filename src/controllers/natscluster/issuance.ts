// Why a certificate is not issued, read from cert-manager's own objects, and when the operator asks
// cert-manager to try again. cert-manager backs off for an hour after a failed issuance (doubling up
// to 32 h), so one transient failure — such as its own race between two temporary private-key
// Secrets — would stall a new cluster for an hour. For the Certificates it owns, the operator asks
// for a new issuance the way `cmctl renew` does (Issuing=True on the status), on its own bounded
// schedule. Pure: the caller passes the objects and the time.
import type {
  Certificate,
  CertificateRequest,
  CertManagerCondition,
  ClusterIssuer,
  Issuer,
} from '../../api/cert-manager.ts';
import { CERTIFICATE_NAME_ANNOTATION, CERTIFICATE_REVISION_ANNOTATION } from '../../api/cert-manager.ts';
import { statusTime } from '../../status/conditions.ts';

/** The operator's retry schedule after the n-th failure: 5 s, 10 s, 20 s ... capped at 5 min. */
export const RETRY_BASE_MS = 5_000;
export const RETRY_CAP_MS = 5 * 60_000;
/** cert-manager's defaults (--certificate-request-minimum/maximum-backoff-duration). */
const CERT_MANAGER_BASE_MS = 60 * 60_000;
const CERT_MANAGER_CAP_MS = 32 * 60 * 60_000;

export const MANUAL_TRIGGER_REASON = 'ManuallyTriggered';

export interface IssuerView {
  /** How a message names it: `Issuer corp-ca` or `ClusterIssuer corp-ca`. */
  ref: string;
  /** Absent when the cache has no such issuer. */
  object?: Issuer | ClusterIssuer;
  /** The operator's own bootstrap issuers: their failures show through the CA Certificate. */
  bootstrapped: boolean;
}

export interface IssuanceProblem {
  reason: 'IssuanceFailed' | 'IssuerNotReady';
  certificate: string;
  /** Names the objects and quotes cert-manager's reason; never a secret. */
  message: string;
  /** Failed issuances: how many in a row, and when the operator asks again. */
  attempt?: number;
  retryAt?: number;
  /** The operator should ask cert-manager for a new issuance now. */
  renewNow: boolean;
}

const condition = (conditions: CertManagerCondition[] | undefined, type: string) =>
  conditions?.find((c) => c.type === type);
const iso = statusTime;
const quote = (c: { reason?: string; message?: string }) => [c.reason, c.message].filter(Boolean).join(': ');

export function backoffMs(attempt: number, baseMs: number, capMs: number): number {
  const delay = baseMs * 2 ** Math.max(0, attempt - 1);
  return Number.isFinite(delay) ? Math.min(delay, capMs) : capMs;
}

/** Why an issuer cannot issue, or undefined while it can (or may: no Ready condition yet). */
export function issuerProblem(issuer: IssuerView): string | undefined {
  if (issuer.bootstrapped) return undefined;
  if (!issuer.object) return `${issuer.ref} does not exist`;
  const ready = condition(issuer.object.status?.conditions, 'Ready');
  if (ready?.status === 'False') return `${issuer.ref} is not Ready (${quote(ready)})`;
  return undefined;
}

/** The newest CertificateRequest of a Certificate (by cert-manager's revision annotation). */
export function latestRequest(
  certificate: string,
  requests: CertificateRequest[],
): CertificateRequest | undefined {
  const revision = (r: CertificateRequest) =>
    Number(r.metadata?.annotations?.[CERTIFICATE_REVISION_ANNOTATION] ?? 0);
  return requests
    .filter((r) => r.metadata?.annotations?.[CERTIFICATE_NAME_ANNOTATION] === certificate)
    .sort((a, b) => revision(b) - revision(a))[0];
}

function requestVerdict(request: CertificateRequest | undefined): string | undefined {
  if (!request) return undefined;
  const name = `CertificateRequest ${request.metadata?.name}`;
  const denied = condition(request.status?.conditions, 'Denied');
  if (denied?.status === 'True') return `${name} was denied (${quote(denied)})`;
  const ready = condition(request.status?.conditions, 'Ready');
  if (ready?.status === 'False' && ready.reason === 'Failed') return `${name} failed (${quote(ready)})`;
  if (condition(request.status?.conditions, 'InvalidRequest')?.status === 'True') return `${name} is invalid`;
  return undefined;
}

/**
 * What stops one Certificate from being issued, if anything. A Certificate is in a failed state
 * from cert-manager's failed issuance (status.lastFailureTime) until an issuance succeeds, which
 * clears it; a retry in flight (Issuing=True) keeps it reported, so the condition does not flap.
 */
export function issuanceProblem(
  certificate: Certificate,
  requests: CertificateRequest[],
  issuer: IssuerView,
  now: number,
): IssuanceProblem | undefined {
  const name = certificate.metadata?.name ?? '';
  const status = certificate.status ?? {};
  const blockedBy = issuerProblem(issuer);
  const lastFailure = status.lastFailureTime ? Date.parse(status.lastFailureTime) : NaN;
  if (Number.isNaN(lastFailure)) {
    if (!blockedBy || condition(status.conditions, 'Ready')?.status === 'True') return undefined;
    return {
      reason: 'IssuerNotReady',
      certificate: name,
      message: `Certificate ${name} waits for ${blockedBy}: fix the issuer; issuance continues once it is Ready`,
      renewNow: false,
    };
  }
  const attempt = Math.max(1, status.failedIssuanceAttempts ?? 1);
  const retryAt = lastFailure + backoffMs(attempt, RETRY_BASE_MS, RETRY_CAP_MS);
  const certManagerRetry = lastFailure + backoffMs(attempt, CERT_MANAGER_BASE_MS, CERT_MANAGER_CAP_MS);
  const issuing = condition(status.conditions, 'Issuing');
  const retrying = issuing?.status === 'True';
  const failure = issuing && !retrying ? quote(issuing) : 'see its events';
  const parts = [
    `Certificate ${name}: cert-manager failed to issue it (${attempt} failed attempt${attempt > 1 ? 's' : ''}, last at ${iso(lastFailure)}): ${failure}`,
    requestVerdict(latestRequest(name, requests)),
    retrying
      ? 'a new issuance is in progress'
      : blockedBy
        ? `${blockedBy}: fix the issuer; nats-warden asks for a new issuance once it is Ready`
        : `cert-manager would retry at ${iso(certManagerRetry)}; nats-warden asks for a new issuance at ${iso(Math.max(retryAt, now))}`,
  ];
  return {
    reason: 'IssuanceFailed',
    certificate: name,
    message: parts.filter(Boolean).join('; '),
    attempt,
    retryAt,
    renewNow: !retrying && !blockedBy && now >= retryAt,
  };
}

/** The status conditions that ask cert-manager for a new issuance, as `cmctl renew` writes them. */
export function manualIssuanceConditions(certificate: Certificate, now: number): CertManagerCondition[] {
  const others = (certificate.status?.conditions ?? []).filter((c) => c.type !== 'Issuing');
  return [
    ...others,
    {
      type: 'Issuing',
      status: 'True',
      reason: MANUAL_TRIGGER_REASON,
      message: 'Certificate re-issuance requested by nats-warden after a failed issuance',
      lastTransitionTime: iso(now),
      ...(certificate.metadata?.generation !== undefined
        ? { observedGeneration: certificate.metadata.generation }
        : {}),
    },
  ];
}

/** The earliest time the operator should look again for these problems, in ms from now. */
export function nextLookMs(problems: IssuanceProblem[], now: number, fallbackMs: number): number {
  const waits = problems
    .filter((p) => p.retryAt !== undefined && !p.renewNow)
    .map((p) => (p.retryAt as number) - now)
    .filter((ms) => ms > 0);
  return Math.min(fallbackMs, ...waits.map((ms) => ms + 100));
}
