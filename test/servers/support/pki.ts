// Real certificates from the rendered cert-manager objects: the issuer chain is followed
// (selfSigned -> CA Certificate -> CA Issuer -> leaves) and every Certificate's commonName, SANs,
// usages, key algorithm and size and duration are honoured — what cert-manager would issue, made
// with openssl so the servers and clients meet real X.509.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface IssuedSecret {
  'tls.crt': string;
  'tls.key': string;
  'ca.crt': string;
}

interface CertificateSpec {
  secretName: string;
  commonName?: string;
  isCA?: boolean;
  dnsNames?: string[];
  ipAddresses?: string[];
  emailAddresses?: string[];
  usages?: string[];
  duration?: string;
  privateKey?: { algorithm?: string; size?: number };
  issuerRef: { name: string };
}

type Obj = { kind: string; metadata: { name: string }; spec: any };

const USAGE: Record<string, [string, string]> = {
  'server auth': ['eku', 'serverAuth'],
  'client auth': ['eku', 'clientAuth'],
  'digital signature': ['ku', 'digitalSignature'],
  'key encipherment': ['ku', 'keyEncipherment'],
  'cert sign': ['ku', 'keyCertSign'],
  'crl sign': ['ku', 'cRLSign'],
};

const openssl = (args: string[], cwd: string) =>
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
const days = (duration = '2160h') =>
  Math.max(1, Math.ceil(Number(/^(\d+)h$/.exec(duration)?.[1] ?? 2160) / 24));

function newKey(dir: string, name: string, key: CertificateSpec['privateKey']): string {
  const file = join(dir, `${name}.key`);
  const algorithm = key?.algorithm ?? 'ECDSA';
  if (algorithm === 'RSA')
    openssl(
      ['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${key?.size ?? 2048}`, '-out', file],
      dir,
    );
  else if (algorithm === 'Ed25519') openssl(['genpkey', '-algorithm', 'ed25519', '-out', file], dir);
  else
    openssl(
      ['genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:P-${key?.size ?? 256}`, '-out', file],
      dir,
    );
  return file;
}

function extensions(spec: CertificateSpec): string {
  const san = [
    ...(spec.dnsNames ?? []).map((d) => `DNS:${d}`),
    ...(spec.ipAddresses ?? []).map((ip) => `IP:${ip}`),
    ...(spec.emailAddresses ?? []).map((e) => `email:${e}`),
  ];
  const ku = (spec.usages ?? []).filter((u) => USAGE[u]?.[0] === 'ku').map((u) => USAGE[u]?.[1]);
  const eku = (spec.usages ?? []).filter((u) => USAGE[u]?.[0] === 'eku').map((u) => USAGE[u]?.[1]);
  return [
    spec.isCA ? 'basicConstraints=critical,CA:TRUE' : 'basicConstraints=CA:FALSE',
    ...(san.length ? [`subjectAltName=${san.join(',')}`] : []),
    ...(ku.length ? [`keyUsage=critical,${ku.join(',')}`] : []),
    ...(eku.length ? [`extendedKeyUsage=${eku.join(',')}`] : []),
  ].join('\n');
}

/** Signs `spec` with the CA (or itself when no CA is given); returns the Secret cert-manager would write. */
export function issue(spec: CertificateSpec, ca?: IssuedSecret): IssuedSecret {
  const dir = mkdtempSync(join(tmpdir(), 'nats-warden-pki-'));
  try {
    const key = newKey(dir, 'leaf', spec.privateKey);
    writeFileSync(join(dir, 'ext.cnf'), extensions(spec));
    const subject = `/CN=${spec.commonName ?? spec.secretName}`;
    openssl(['req', '-new', '-key', key, '-subj', subject, '-out', 'leaf.csr'], dir);
    if (ca) {
      writeFileSync(join(dir, 'ca.crt'), ca['tls.crt']);
      writeFileSync(join(dir, 'ca.key'), ca['tls.key']);
    }
    // Signed by the CA when there is one, else by its own key.
    const signer = ca ? ['-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial'] : ['-signkey', key];
    const validity = ['-days', String(days(spec.duration)), '-extfile', 'ext.cnf', '-out', 'leaf.crt'];
    openssl(['x509', '-req', '-in', 'leaf.csr', ...signer, ...validity], dir);
    const crt = readFileSync(join(dir, 'leaf.crt'), 'utf8');
    return { 'tls.crt': crt, 'tls.key': readFileSync(key, 'utf8'), 'ca.crt': ca ? ca['tls.crt'] : crt };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Issues every Certificate among the rendered objects through its Issuer chain; keyed by secretName. */
export function issueAll(objects: object[], extraCertificates: Obj[] = []): Record<string, IssuedSecret> {
  const all = [...(objects as Obj[]), ...extraCertificates];
  const issuers = new Map(all.filter((o) => o.kind === 'Issuer').map((o) => [o.metadata.name, o]));
  const certificates = all.filter((o) => o.kind === 'Certificate');
  const issued: Record<string, IssuedSecret> = {};
  const issueOne = (cert: Obj): IssuedSecret => {
    const spec = cert.spec as CertificateSpec;
    const existing = issued[spec.secretName];
    if (existing) return existing;
    const issuer = issuers.get(spec.issuerRef.name);
    let ca: IssuedSecret | undefined;
    if (issuer?.spec.ca) {
      const caCert = certificates.find((c) => c.spec.secretName === issuer.spec.ca.secretName);
      if (!caCert) throw new Error(`no Certificate writes the CA Secret ${issuer.spec.ca.secretName}`);
      ca = issueOne(caCert);
    } else if (!issuer?.spec.selfSigned)
      throw new Error(`Certificate ${cert.metadata.name}: issuer ${spec.issuerRef.name} is not rendered`);
    return (issued[spec.secretName] = issue(spec, ca));
  };
  certificates.forEach(issueOne);
  return issued;
}
