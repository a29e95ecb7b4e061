// The pins of spec.tls.client.pinIssuedCertificates (ADR 0010): the SHA-256 of the public key of every
// client certificate the operator issued for a cluster — its own (the routes certificate, which it
// presents on the client port) and each member NatsUser's — read from the Secrets cert-manager wrote.
// Those certificates keep their key across renewals, so a pin read once holds for the next one too.
import { createHash, X509Certificate } from 'node:crypto';
import type { NatsCluster, NatsUser } from '../../api/index.ts';
import { childNames, clientCertificateSecretName, needsClientCertificate } from '../../render/index.ts';

type SecretReader = (name: string) => { data?: Record<string, string> } | undefined;

/** What nats-server pins: hex SHA-256 of the DER SubjectPublicKeyInfo (auth.go:464); undefined if not a certificate. */
export function publicKeyPin(pem: string): string | undefined {
  try {
    const der = new X509Certificate(pem).publicKey.export({ type: 'spki', format: 'der' });
    return createHash('sha256').update(der).digest('hex');
  } catch {
    return undefined; // not a certificate (yet): cert-manager will write it, and the Secret's change brings us back
  }
}

/** Sorted pins of every issued client certificate that exists yet; empty unless the spec asks for them. */
export function issuedCertificatePins(
  cluster: NatsCluster,
  users: NatsUser[],
  secret: SecretReader,
): string[] {
  if (!cluster.spec.tls.client.pinIssuedCertificates) return [];
  const secretNames = [
    childNames(cluster.metadata.name).routesSecret,
    ...users.filter((user) => needsClientCertificate(user, cluster)).map(clientCertificateSecretName),
  ];
  const pins = secretNames.flatMap((name) => {
    const pem = secret(name)?.data?.['tls.crt'];
    const pin = pem ? publicKeyPin(Buffer.from(pem, 'base64').toString('utf8')) : undefined;
    return pin ? [pin] : [];
  });
  return [...new Set(pins)].sort();
}
