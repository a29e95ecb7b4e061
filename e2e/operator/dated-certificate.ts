// A client certificate signed by a real CA but valid only outside today (expired, or not yet
// valid): `openssl x509 -req` in OpenSSL 3.0 cannot set explicit dates, `openssl ca` can.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CA_CONF = `[ca]
default_ca = dated
[dated]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = anything
unique_subject = no
[anything]
commonName = supplied
`;

/** ASN.1 times as `openssl ca` takes them, e.g. 20200101000000Z. */
export function datedClientCertificate(
  ca: { crt: string; key: string },
  commonName: string,
  notBefore: string,
  notAfter: string,
): { cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nats-warden-dated-'));
  const run = (args: string[]) =>
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    writeFileSync(join(dir, 'ca.cnf'), CA_CONF);
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'serial'), '1000\n');
    writeFileSync(join(dir, 'ca.crt'), ca.crt);
    writeFileSync(join(dir, 'ca.key'), ca.key);
    writeFileSync(
      join(dir, 'ext.cnf'),
      'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n',
    );
    run(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'leaf.key']);
    run(['req', '-new', '-key', 'leaf.key', '-subj', `/CN=${commonName}`, '-out', 'leaf.csr']);
    run([
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-cert',
      'ca.crt',
      '-keyfile',
      'ca.key',
      '-in',
      'leaf.csr',
      '-out',
      'leaf.crt',
      '-notext',
      '-startdate',
      notBefore,
      '-enddate',
      notAfter,
      '-extfile',
      'ext.cnf',
    ]);
    return {
      cert: readFileSync(join(dir, 'leaf.crt'), 'utf8'),
      key: readFileSync(join(dir, 'leaf.key'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
