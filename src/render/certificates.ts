// cert-manager objects for a NatsCluster. Without an issuerRef the cluster gets its own CA:
// selfSigned Issuer -> CA Certificate (key pinned with rotationPolicy Never, lifetime far beyond the
// leaves, so renewing the CA never invalidates existing leaves) -> CA Issuer. Leaves: the server
// certificate for clients and monitoring, and the route certificate (server + client auth).
import type { Certificate, CertificateSpec, Issuer } from '../api/cert-manager.ts';
import type { NatsCluster } from '../api/index.ts';
import type { RenderContext } from './context.ts';
import { childMeta, childNames, namespaceOf, podFqdn } from './names.ts';
import { durationToSeconds } from './units.ts';

const CERT_MANAGER = 'cert-manager.io/v1' as const;
type Usage = NonNullable<CertificateSpec['usages']>[number];
/** Leaves depend on nothing generated: only the cluster domain, for the pods' names. */
type LeafContext = Pick<RenderContext, 'clusterDomain'>;
/** Ten years; the CA must outlive every leaf it signs by a wide margin. */
export const CA_DURATION = '87600h';
export const CA_RENEW_BEFORE = '8760h';

/**
 * Client certificates the operator issues keep their key across renewals when the cluster pins them:
 * nats-server pins the public key (auth.go:464), so the renewed certificate matches the pin it
 * replaces and no renewal ever meets a server that does not know it yet (ADR 0010).
 */
export function issuedClientKeyRotation(cluster: NatsCluster): 'Always' | 'Never' {
  return cluster.spec.tls.client.pinIssuedCertificates ? 'Never' : 'Always';
}

export function issuerRefOf(cluster: NatsCluster): CertificateSpec['issuerRef'] {
  const ref = cluster.spec.tls.issuerRef;
  if (ref) return { name: ref.name, kind: ref.kind, group: ref.group };
  return { name: childNames(cluster.metadata.name).caIssuer, kind: 'Issuer', group: 'cert-manager.io' };
}

function privateKey(
  cluster: NatsCluster,
  rotationPolicy: 'Always' | 'Never',
): NonNullable<CertificateSpec['privateKey']> {
  const { algorithm, size } = cluster.spec.tls.privateKey;
  const defaultSize = algorithm === 'ECDSA' ? 256 : algorithm === 'RSA' ? 2048 : undefined;
  const keySize = size ?? defaultSize;
  return { algorithm, ...(keySize ? { size: keySize } : {}), encoding: 'PKCS8', rotationPolicy };
}

/** The self-signed bootstrap: Issuer, CA Certificate, CA Issuer. Empty when an issuerRef is given. */
export function renderCaBootstrap(cluster: NatsCluster): (Issuer | Certificate)[] {
  if (cluster.spec.tls.issuerRef) return [];
  const names = childNames(cluster.metadata.name);
  return [
    {
      apiVersion: CERT_MANAGER,
      kind: 'Issuer',
      metadata: childMeta(cluster, names.selfSignedIssuer, 'pki'),
      spec: { selfSigned: {} },
    },
    {
      apiVersion: CERT_MANAGER,
      kind: 'Certificate',
      metadata: childMeta(cluster, names.caCertificate, 'pki'),
      spec: {
        isCA: true,
        commonName: `${cluster.metadata.name}.${namespaceOf(cluster)} NATS CA`,
        secretName: names.caSecret,
        duration: CA_DURATION,
        renewBefore: CA_RENEW_BEFORE,
        privateKey: privateKey(cluster, 'Never'),
        usages: ['cert sign', 'crl sign', 'digital signature'],
        issuerRef: { name: names.selfSignedIssuer, kind: 'Issuer', group: 'cert-manager.io' },
        // The operator's Secret cache selects on these labels; it reads the CA for the trust bundle.
        secretTemplate: { labels: childMeta(cluster, names.caSecret, 'pki').labels },
      },
    },
    {
      apiVersion: CERT_MANAGER,
      kind: 'Issuer',
      metadata: childMeta(cluster, names.caIssuer, 'pki'),
      spec: { ca: { secretName: names.caSecret } },
    },
  ];
}

function leafUsages(cluster: NatsCluster, ...auth: Usage[]): Usage[] {
  // RSA key exchange needs key encipherment; ECDSA and Ed25519 only sign.
  const keyUsages: Usage[] =
    cluster.spec.tls.privateKey.algorithm === 'RSA'
      ? ['digital signature', 'key encipherment']
      : ['digital signature'];
  return [...keyUsages, ...auth];
}

function podNames(cluster: NatsCluster, context: LeafContext): string[] {
  return Array.from({ length: cluster.spec.replicas }, (_, i) => podFqdn(cluster, i, context.clusterDomain));
}

/** The DNS names a client may dial: the client Service in every short form, and each pod. */
export function serverDnsNames(cluster: NatsCluster, context: LeafContext): string[] {
  const names = childNames(cluster.metadata.name);
  const ns = namespaceOf(cluster);
  const service = names.clientService;
  const headless = `${names.headlessService}.${ns}.svc.${context.clusterDomain}`;
  return unique([
    service,
    `${service}.${ns}`,
    `${service}.${ns}.svc`,
    `${service}.${ns}.svc.${context.clusterDomain}`,
    `*.${headless}`,
    ...podNames(cluster, context),
    ...(cluster.spec.tls.client.extraDNSNames ?? []),
  ]);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function leafCertificate(
  cluster: NatsCluster,
  name: string,
  secretName: string,
  spec: Partial<CertificateSpec>,
): Certificate {
  return {
    apiVersion: CERT_MANAGER,
    kind: 'Certificate',
    metadata: childMeta(cluster, name, 'pki'),
    spec: {
      secretName,
      duration: cluster.spec.tls.duration,
      renewBefore: cluster.spec.tls.renewBefore,
      privateKey: privateKey(cluster, 'Always'),
      issuerRef: issuerRefOf(cluster),
      secretTemplate: { labels: childMeta(cluster, name, 'pki').labels },
      ...spec,
    },
  };
}

export function renderLeafCertificates(cluster: NatsCluster, context: LeafContext): Certificate[] {
  const names = childNames(cluster.metadata.name);
  const headless = `${names.headlessService}.${namespaceOf(cluster)}.svc.${context.clusterDomain}`;
  const ipAddresses = cluster.spec.tls.client.extraIPAddresses;
  return [
    leafCertificate(cluster, names.serverCertificate, names.serverSecret, {
      commonName: `${names.clientService}.${namespaceOf(cluster)}.svc`,
      dnsNames: serverDnsNames(cluster, context),
      ...(ipAddresses?.length ? { ipAddresses } : {}),
      usages: leafUsages(cluster, 'server auth'),
    }),
    leafCertificate(cluster, names.routesCertificate, names.routesSecret, {
      commonName: `${names.headlessService}.${namespaceOf(cluster)}.svc`,
      dnsNames: unique([
        `*.${headless}`,
        ...podNames(cluster, context),
        ...(cluster.spec.tls.routes?.extraDNSNames ?? []),
      ]),
      usages: leafUsages(cluster, 'server auth', 'client auth'),
      // The operator presents this certificate on the client port too (its system connection).
      privateKey: privateKey(cluster, issuedClientKeyRotation(cluster)),
    }),
  ];
}

/** Leaves must renew well before they expire and never outlive the CA; checked here, reported as Degraded. */
export function leafLifetimeProblems(cluster: NatsCluster): string[] {
  const problems: string[] = [];
  const duration = durationToSeconds(cluster.spec.tls.duration);
  const renewBefore = durationToSeconds(cluster.spec.tls.renewBefore);
  if (renewBefore >= duration) problems.push('spec.tls.renewBefore must be shorter than spec.tls.duration');
  if (
    !cluster.spec.tls.issuerRef &&
    duration >= durationToSeconds(CA_DURATION) - durationToSeconds(CA_RENEW_BEFORE)
  ) {
    problems.push(`spec.tls.duration must be well below the bootstrapped CA's lifetime (${CA_DURATION})`);
  }
  return problems;
}
