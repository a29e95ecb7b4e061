// cert-manager failures show on the NatsCluster and heal without a human (issue 8). cert-manager
// backs off for an hour after a failed issuance; the operator names the failing Certificate, quotes
// cert-manager and asks for a new issuance within seconds. An external Issuer that is not Ready is
// named with what to fix, and the cluster comes up once it is.
//
// The failed issuance is injected as cert-manager's own issuing controller records one
// (failIssueCertificate: lastFailureTime, failedIssuanceAttempts, Issuing=False with the request's
// reason), with cert-manager paused for that moment so the write cannot race it. From then on
// cert-manager itself decides: its trigger controller backs off for an hour.
//
// The operator runs under the Helm chart's ServiceAccount and RBAC (e2e/operator/chart-rbac.ts), not
// the harness's admin: the renewal request (a patch of certificates/status) is a rule of the chart
// that only this path uses, so scripts/rbac-minimality.ts runs the first test to show it is needed.
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { apply, getJson, k, readState, waitUntil } from '@nats-warden/local-cluster';
import { conditionOf, natsCluster, waitForCondition, waitForDegraded } from './operator/cluster-api.ts';
import { firstRefusal, installChartRbac, refusals, type ChartInstall } from './operator/chart-rbac.ts';
import { minimalCluster, testBed, type TestBed } from './operator/fixtures.ts';

jest.setTimeout(600_000);
let bed: TestBed;
let chart: ChartInstall;

beforeAll(async () => {
  bed = await testBed('certfail');
  chart = await installChartRbac(bed);
  await chart.startOperator();
});
afterAll(async () => {
  await chart?.remove();
  await bed?.teardown();
});

/** The local control plane's cert-manager (absent on a cluster given by KUBECONFIG). */
const certManagerPid = () => readState()?.processes.find((p) => p.name === 'cert-manager')?.pid;
const localOnly = certManagerPid() ? test : test.skip;
const iso = (ms = Date.now()) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const oneReplica = (name: string, edit?: (cluster: any) => void) =>
  minimalCluster(bed.namespace, name, 1, edit);

/** Watches a NatsCluster's conditions until `done`, keeping every distinct line seen. */
async function conditionsUntilReady(name: string, timeoutMs: number): Promise<string[]> {
  const seen: string[] = [];
  // A refused request fails the last test anyway: stop waiting at the first.
  await waitForCondition(
    bed.api,
    bed.namespace,
    name,
    'Ready',
    'True',
    timeoutMs,
    (line) => seen.push(line),
    (conditions) => firstRefusal(bed.operators[0]!, conditions),
  );
  return seen;
}

const eventsFor = async (name: string) =>
  (await getJson(['get', 'events', '-n', bed.namespace, '--field-selector', `involvedObject.name=${name}`]))
    .items as { reason: string; message: string; type: string }[];

describe('certificate issuance failures', () => {
  localOnly(
    'a bootstrap CA whose issuance failed is re-issued by the operator, not after an hour',
    async () => {
      const name = 'backoff';
      const pid = certManagerPid() as number;
      const caCertificate = `${name}-ca`;
      const failure =
        'The certificate request has failed to complete and will be retried: Error generating certificate template: CSR not signed by referenced private key';
      process.kill(pid, 'SIGSTOP');
      const injected = { at: 0 };
      try {
        await apply(oneReplica(name));
        await waitUntil(
          `Certificate ${caCertificate}`,
          async () =>
            (await k(['get', 'certificate', caCertificate, '-n', bed.namespace, '--ignore-not-found'])) !==
            '',
        );
        injected.at = Date.now();
        const status = {
          lastFailureTime: iso(injected.at),
          failedIssuanceAttempts: 1,
          conditions: [
            {
              type: 'Ready',
              status: 'False',
              reason: 'DoesNotExist',
              message: 'Issuing certificate as Secret does not exist',
              lastTransitionTime: iso(),
            },
            {
              type: 'Issuing',
              status: 'False',
              reason: 'Failed',
              message: failure,
              lastTransitionTime: iso(),
            },
          ],
        };
        await k([
          'patch',
          'certificate',
          caCertificate,
          '-n',
          bed.namespace,
          '--subresource=status',
          '--type=merge',
          '-p',
          JSON.stringify({ status }),
        ]);
      } finally {
        process.kill(pid, 'SIGCONT');
      }

      const seen = await conditionsUntilReady(name, 180_000);
      const recoveredS = Math.round((Date.now() - injected.at) / 1000);
      process.stderr.write(
        `\nfigure: NatsCluster ${name} Ready ${recoveredS} s after its CA issuance failed\n`,
      );
      const degraded = seen.find((line) => line.includes('Degraded=True (IssuanceFailed'));
      expect(degraded).toContain(
        `Certificate ${caCertificate}: cert-manager failed to issue it (1 failed attempt`,
      );
      expect(degraded).toContain('CSR not signed by referenced private key');
      expect(degraded).toMatch(/cert-manager would retry at \S+; nats-warden asks for a new issuance at/);
      expect(seen.some((line) => line.includes('CertificatesReady=False (IssuanceFailed'))).toBe(true);
      expect(recoveredS).toBeLessThan(120);

      const events = await eventsFor(name);
      expect(events).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ type: 'Warning', reason: 'IssuanceFailed' }),
          expect.objectContaining({
            reason: 'IssuanceRetried',
            message: expect.stringContaining(caCertificate),
          }),
        ]),
      );
      const cert = await getJson(['get', 'certificate', caCertificate, '-n', bed.namespace]);
      expect(cert.status.lastFailureTime).toBeUndefined(); // cleared by cert-manager's successful issuance
      expect(conditionOf(await natsCluster(bed.api, bed.namespace, name), 'Degraded')?.status).toBe('False');
    },
  );

  test('an external Issuer that is not Ready is named with what to fix; the cluster comes up once it is', async () => {
    const name = 'external';
    await apply([
      {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Issuer',
        metadata: { name: 'corp-ca', namespace: bed.namespace },
        spec: { ca: { secretName: 'corp-ca-keypair' } },
      },
      ...oneReplica(name, (doc) => (doc.spec.tls.issuerRef = { name: 'corp-ca', kind: 'Issuer' })),
    ]);
    const degraded = await waitForDegraded(bed.api, bed.namespace, name, 'IssuerNotReady', 120_000);
    expect(degraded?.reason).toBe('IssuerNotReady');
    expect(degraded?.message).toContain(`Certificate ${name}-server waits for Issuer corp-ca is not Ready`);
    expect(degraded?.message).toContain('corp-ca-keypair');
    expect(degraded?.message).toContain('fix the issuer');

    // The platform team creates the CA the Issuer names.
    await apply([
      {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Issuer',
        metadata: { name: 'corp-root', namespace: bed.namespace },
        spec: { selfSigned: {} },
      },
      {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { name: 'corp-ca', namespace: bed.namespace },
        spec: {
          isCA: true,
          commonName: 'corp CA',
          secretName: 'corp-ca-keypair',
          privateKey: { algorithm: 'ECDSA', size: 256 },
          issuerRef: { name: 'corp-root', kind: 'Issuer' },
        },
      },
    ]);
    await waitForCondition(bed.api, bed.namespace, name, 'Ready', 'True', 180_000);
    expect(conditionOf(await natsCluster(bed.api, bed.namespace, name), 'Degraded')?.status).toBe('False');
  });

  test("no request of the operator was refused: the chart's RBAC grants what these paths do", () => {
    expect(refusals(bed.operators[0]!)).toEqual([]);
  });
});
