// The credentials Secret a NatsUser's application mounts: what it needs to connect and nothing more.
// Password users: username + password; NKey users: nkey.seed; JWT users: user.creds; certificate
// users: a cert-manager client certificate. Always ca.crt (the cluster's trust bundle) and url.
import type { Certificate } from '../api/cert-manager.ts';
import type { NatsCluster, NatsUser } from '../api/index.ts';
import { credentialsSecretNameOf, usernameOf } from '../api/names.ts';
import { certificateUserName } from './auth-conf.ts';
import { issuedClientKeyRotation, issuerRefOf } from './certificates.ts';
import { base64 } from './config-objects.ts';
import type { RenderContext } from './context.ts';
import { PORTS } from './layout.ts';
import { childNames, namespaceOf, ownerReference } from './names.ts';
import { RenderError } from './render-error.ts';

/** The URL applications use: the client Service over TLS. */
export function clientUrl(cluster: NatsCluster, context: Pick<RenderContext, 'clusterDomain'>): string {
  return `tls://${childNames(cluster.metadata.name).clientService}.${namespaceOf(cluster)}.svc.${context.clusterDomain}:${PORTS.client}`;
}

function userMeta(user: NatsUser, name: string) {
  return {
    name,
    namespace: user.metadata.namespace ?? 'default',
    labels: {
      'app.kubernetes.io/name': 'nats-credentials',
      'app.kubernetes.io/instance': user.metadata.name,
      'app.kubernetes.io/managed-by': 'nats-warden',
      'app.kubernetes.io/part-of': 'nats-warden',
    },
    ownerReferences: [
      ownerReference({ apiVersion: 'natswarden.io/v1alpha1', kind: 'NatsUser', metadata: user.metadata }),
    ],
  };
}

export const clientCertificateSecretName = (user: NatsUser) => `${user.metadata.name}-nats-client-tls`;
export const clientCertificateName = (user: NatsUser) => `${user.metadata.name}-nats-client`;

/** What the credentials Secret is made from: the user's generated credential, the trust bundle, the domain. */
export type UserCredentialsContext = Pick<
  RenderContext,
  'clusterDomain' | 'trustBundle' | 'credsSecretsElsewhere'
> & { identities: Pick<RenderContext['identities'], 'users'> };

function secretFiles(user: NatsUser, context: UserCredentialsContext): Record<string, string> {
  const credentials = context.identities.users[user.metadata.name];
  const missing = (what: string) =>
    new RenderError(`NatsUser ${user.metadata.name}`, `its ${what} has not been generated yet`);
  switch (user.spec.authType) {
    case 'Password':
      if (!credentials?.password) throw missing('password');
      return { username: usernameOf(user), password: credentials.password.plaintext };
    case 'NKey':
      if (!credentials?.nkey) throw missing('nkey');
      return { 'nkey.seed': credentials.nkey.seed, 'nkey.pub': credentials.nkey.publicKey };
    case 'Creds':
      if (!credentials?.creds) throw missing('creds');
      return { 'user.creds': credentials.creds.content };
    case 'Certificate':
      return {}; // the certificate is the credential
  }
}

/** Certificate users, and every user of a cluster that verifies client certificates, get one. */
export function needsClientCertificate(user: NatsUser, cluster: NatsCluster): boolean {
  return (
    user.spec.authType === 'Certificate' ||
    cluster.spec.tls.client.verify ||
    cluster.spec.tls.client.verifyAndMap
  );
}

/** The credentials Secret and, where the cluster wants one, the client Certificate. */
export function renderUserCredentials(
  user: NatsUser,
  cluster: NatsCluster,
  context: UserCredentialsContext,
): object[] {
  const withCertificate = needsClientCertificate(user, cluster);
  const secretHere = !(context.credsSecretsElsewhere && user.spec.authType === 'Creds');
  const files = {
    ...(secretHere ? secretFiles(user, context) : {}),
    ...(withCertificate ? { 'tls-secret-name': clientCertificateSecretName(user) } : {}),
    'ca.crt': context.trustBundle,
    url: clientUrl(cluster, context),
  };
  const data = Object.fromEntries(Object.entries(files).map(([key, value]) => [key, base64(value)]));
  const objects: object[] = [];
  if (secretHere)
    objects.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: userMeta(user, credentialsSecretNameOf(user)),
      type: 'Opaque',
      data,
    });
  if (withCertificate) {
    const certificate = user.spec.certificate;
    const mapped = user.spec.authType === 'Certificate';
    objects.push({
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: userMeta(user, clientCertificateName(user)),
      spec: {
        secretName: clientCertificateSecretName(user),
        commonName: certificate?.commonName ?? user.metadata.name,
        ...(certificate?.emailAddresses?.length ? { emailAddresses: certificate.emailAddresses } : {}),
        duration: certificate?.duration ?? cluster.spec.tls.duration,
        renewBefore: certificate?.renewBefore ?? cluster.spec.tls.renewBefore,
        privateKey: {
          algorithm: 'ECDSA',
          size: 256,
          encoding: 'PKCS8',
          rotationPolicy: issuedClientKeyRotation(cluster),
        },
        usages: ['digital signature', 'client auth'],
        issuerRef: issuerRefOf(cluster),
        secretTemplate: {
          labels: userMeta(user, '').labels,
          ...(mapped ? { annotations: { 'natswarden.io/mapped-user': certificateUserName(user) } } : {}),
        },
      },
    } satisfies Certificate);
  }
  return objects;
}
