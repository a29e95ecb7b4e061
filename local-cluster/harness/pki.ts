// The control plane's certificates, made with the openssl CLI: one CA that signs the API server's
// serving certificate and every client certificate (admin in system:masters, the controller
// manager and the scheduler under their well-known names, so RBAC's bootstrap roles apply), plus
// the RSA key pair that signs and verifies service-account tokens.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  saKey: string;
  saPub: string;
  client: (name: string) => { cert: string; key: string };
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function ecKey(dir: string, name: string): void {
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`], dir);
}

/** Signs `${name}.key` with the CA; `san` is an openssl subjectAltName value or undefined. */
function sign(
  dir: string,
  name: string,
  subject: string,
  usage: 'serverAuth' | 'clientAuth',
  san?: string,
): void {
  ecKey(dir, name);
  openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], dir);
  const ext = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${usage}`,
    ...(san ? [`subjectAltName=${san}`] : []),
  ];
  writeFileSync(join(dir, `${name}.ext`), ext.join('\n') + '\n');
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '365',
      '-sha256',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    ],
    dir,
  );
}

export const clientIdentities: Record<string, string> = {
  admin: '/O=system:masters/CN=nats-warden-admin',
  'kube-controller-manager': '/CN=system:kube-controller-manager',
  'kube-scheduler': '/CN=system:kube-scheduler',
  'cert-manager': '/O=system:masters/CN=cert-manager',
  // The storage provisioner (node/storage-provisioner.ts): creates and deletes PersistentVolumes.
  'storage-provisioner': '/O=system:masters/CN=storage-provisioner',
  // The real nodes' kubelets (node/real-node.ts), under the Node authorizer's naming.
  'node-warden-real-1': '/O=system:nodes/CN=system:node:warden-real-1',
  'node-warden-real-2': '/O=system:nodes/CN=system:node:warden-real-2',
  'node-warden-real-3': '/O=system:nodes/CN=system:node:warden-real-3',
  // kube-proxy (node/kube-proxy.ts): the bootstrap binding system:node-proxier names this user.
  'kube-proxy': '/CN=system:kube-proxy',
  // CoreDNS (node/cluster-dns.ts): bound to a ClusterRole of its own when it starts.
  coredns: '/CN=system:coredns',
};

/** Creates the PKI under `dir` unless it is already there (a restart reuses it). */
export function ensurePki(dir: string): Pki {
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'ca.crt'))) {
    ecKey(dir, 'ca');
    openssl(
      [
        'req',
        '-x509',
        '-new',
        '-key',
        'ca.key',
        '-subj',
        '/CN=nats-warden-e2e-ca',
        '-days',
        '3650',
        '-sha256',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
        '-out',
        'ca.crt',
      ],
      dir,
    );
  }
  if (!existsSync(join(dir, 'apiserver.crt'))) {
    const san =
      'IP:127.0.0.1,IP:10.96.0.1,IP:10.245.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,' +
      'DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local';
    sign(dir, 'apiserver', '/CN=kube-apiserver', 'serverAuth', san);
  }
  for (const [name, subject] of Object.entries(clientIdentities)) {
    if (!existsSync(join(dir, `${name}.crt`))) sign(dir, name, subject, 'clientAuth');
  }
  if (!existsSync(join(dir, 'sa.key'))) {
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'sa.key'], dir);
    openssl(['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  }
  const at = (file: string) => join(dir, file);
  return {
    dir,
    caCert: at('ca.crt'),
    caKey: at('ca.key'),
    serverCert: at('apiserver.crt'),
    serverKey: at('apiserver.key'),
    saKey: at('sa.key'),
    saPub: at('sa.pub'),
    client: (name) => ({ cert: at(`${name}.crt`), key: at(`${name}.key`) }),
  };
}

/** A kubeconfig with the certificates embedded, so it can be copied elsewhere and still work. */
export function kubeconfigYaml(pki: Pki, server: string, user: string): string {
  const b64 = (file: string) => readFileSync(file).toString('base64');
  const { cert, key } = pki.client(user);
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: nats-warden-e2e',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(pki.caCert)}`,
    'users:',
    `- name: ${user}`,
    '  user:',
    `    client-certificate-data: ${b64(cert)}`,
    `    client-key-data: ${b64(key)}`,
    'contexts:',
    '- name: nats-warden-e2e',
    '  context:',
    '    cluster: nats-warden-e2e',
    `    user: ${user}`,
    'current-context: nats-warden-e2e',
    '',
  ].join('\n');
}
