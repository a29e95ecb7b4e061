import { describe, expect, it } from '@jest/globals';
import type { Certificate, CertificateRequest } from '../../api/cert-manager.ts';
import {
  backoffMs,
  issuanceProblem,
  issuerProblem,
  latestRequest,
  manualIssuanceConditions,
  nextLookMs,
  RETRY_CAP_MS,
  type IssuerView,
} from './issuance.ts';

const T0 = Date.parse('2026-12-01T08:00:00Z');
const bootstrapped: IssuerView = { ref: 'Issuer fortress-selfsigned', bootstrapped: true };

function failedCertificate(attempts: number, issuing: 'True' | 'False' = 'False'): Certificate {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'fortress-ca', namespace: 'ns', generation: 1 },
    spec: { secretName: 'fortress-ca', issuerRef: { name: 'fortress-selfsigned' } },
    status: {
      lastFailureTime: '2026-12-01T08:00:00Z',
      failedIssuanceAttempts: attempts,
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'DoesNotExist',
          message: 'Issuing certificate as Secret does not exist',
        },
        {
          type: 'Issuing',
          status: issuing,
          reason: issuing === 'True' ? 'ManuallyTriggered' : 'Failed',
          message:
            'The certificate request has failed to complete and will be retried: Error generating certificate template: CSR not signed by referenced private key',
        },
      ],
    },
  };
}

function request(name: string, revision: number, conditions: object[]): CertificateRequest {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'CertificateRequest',
    metadata: {
      name,
      annotations: {
        'cert-manager.io/certificate-name': 'fortress-ca',
        'cert-manager.io/certificate-revision': String(revision),
      },
    },
    spec: { request: '', issuerRef: { name: 'x' } },
    status: { conditions: conditions as never },
  };
}

describe('issuanceProblem', () => {
  it('is nothing for a Certificate that never failed and whose issuer is fine', () => {
    const cert = failedCertificate(1);
    delete cert.status!.lastFailureTime;
    expect(issuanceProblem(cert, [], bootstrapped, T0)).toBeUndefined();
  });

  it('names the Certificate, quotes cert-manager and its failed request, and gives both retry times', () => {
    const failed = request('fortress-ca-1', 1, [
      {
        type: 'Ready',
        status: 'False',
        reason: 'Failed',
        message: 'CSR not signed by referenced private key',
      },
    ]);
    const problem = issuanceProblem(failedCertificate(1), [failed], bootstrapped, T0 + 1_000)!;
    expect(problem.reason).toBe('IssuanceFailed');
    expect(problem.message).toContain(
      'Certificate fortress-ca: cert-manager failed to issue it (1 failed attempt',
    );
    expect(problem.message).toContain('CSR not signed by referenced private key');
    expect(problem.message).toContain('CertificateRequest fortress-ca-1 failed (Failed:');
    expect(problem.message).toContain('cert-manager would retry at 2026-12-01T09:00:00Z');
    expect(problem.message).toContain('nats-warden asks for a new issuance at 2026-12-01T08:00:05Z');
    expect(problem.renewNow).toBe(false);
    expect(issuanceProblem(failedCertificate(1), [failed], bootstrapped, T0 + 5_000)!.renewNow).toBe(true);
  });

  it('backs off on its own schedule: doubling per failed attempt, capped', () => {
    expect(issuanceProblem(failedCertificate(3), [], bootstrapped, T0 + 19_999)!.renewNow).toBe(false);
    expect(issuanceProblem(failedCertificate(3), [], bootstrapped, T0 + 20_000)!.renewNow).toBe(true);
    expect(issuanceProblem(failedCertificate(40), [], bootstrapped, T0)!.retryAt).toBe(T0 + RETRY_CAP_MS);
    expect(backoffMs(5000, 1, 10)).toBe(10);
  });

  it('keeps reporting while a retry is in flight, without asking again', () => {
    const problem = issuanceProblem(failedCertificate(2, 'True'), [], bootstrapped, T0 + 60_000)!;
    expect(problem.reason).toBe('IssuanceFailed');
    expect(problem.message).toContain('a new issuance is in progress');
    expect(problem.renewNow).toBe(false);
  });

  it('reports a denied request', () => {
    const denied = request('fortress-ca-2', 2, [
      { type: 'Denied', status: 'True', reason: 'PolicyDenied', message: 'no policy matches' },
    ]);
    const older = request('fortress-ca-1', 1, []);
    expect(latestRequest('fortress-ca', [older, denied])?.metadata?.name).toBe('fortress-ca-2');
    expect(issuanceProblem(failedCertificate(1), [older, denied], bootstrapped, T0)!.message).toContain(
      'CertificateRequest fortress-ca-2 was denied (PolicyDenied: no policy matches)',
    );
  });

  it('waits for an external issuer that is not Ready, and says what to fix', () => {
    const issuer: IssuerView = {
      ref: 'Issuer corp-ca',
      bootstrapped: false,
      object: {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Issuer',
        metadata: { name: 'corp-ca' },
        spec: { ca: { secretName: 'corp-ca-keypair' } },
        status: {
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              reason: 'ErrGetKeyPair',
              message: 'secret "corp-ca-keypair" not found',
            },
          ],
        },
      },
    };
    const waiting = failedCertificate(1);
    delete waiting.status!.lastFailureTime;
    const problem = issuanceProblem(waiting, [], issuer, T0)!;
    expect(problem.reason).toBe('IssuerNotReady');
    expect(problem.message).toBe(
      'Certificate fortress-ca waits for Issuer corp-ca is not Ready (ErrGetKeyPair: secret "corp-ca-keypair" not found): fix the issuer; issuance continues once it is Ready',
    );
    const failed = issuanceProblem(failedCertificate(1), [], issuer, T0 + 600_000)!;
    expect(failed.renewNow).toBe(false);
    expect(failed.message).toContain('nats-warden asks for a new issuance once it is Ready');
  });

  it('treats a missing external issuer as a problem, a bootstrap one never', () => {
    expect(issuerProblem({ ref: 'ClusterIssuer corp', bootstrapped: false })).toBe(
      'ClusterIssuer corp does not exist',
    );
    expect(issuerProblem(bootstrapped)).toBeUndefined();
    expect(
      issuerProblem({
        ref: 'Issuer new',
        bootstrapped: false,
        object: { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: {}, spec: {} },
      }),
    ).toBeUndefined();
  });
});

describe('manualIssuanceConditions', () => {
  it('sets Issuing=True as cmctl renew does and keeps the other conditions', () => {
    const conditions = manualIssuanceConditions(failedCertificate(1), T0);
    expect(conditions.map((c) => `${c.type}=${c.status}`)).toEqual(['Ready=False', 'Issuing=True']);
    expect(conditions[1]).toMatchObject({
      reason: 'ManuallyTriggered',
      observedGeneration: 1,
      lastTransitionTime: '2026-12-01T08:00:00Z',
    });
  });
});

describe('nextLookMs', () => {
  it('wakes just after the earliest pending retry, never later than the fallback', () => {
    const problem = issuanceProblem(failedCertificate(2), [], bootstrapped, T0)!;
    expect(nextLookMs([problem], T0, 60_000)).toBe(10_100);
    expect(nextLookMs([], T0, 3_000)).toBe(3_000);
  });
});
