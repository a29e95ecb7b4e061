// `npm run nats -- ARGS`: the nats CLI against the demo cluster, as an application in the cluster
// would use it: the app user's credentials Secret (nkey, client certificate, ca.crt) and the client
// Service's DNS name, which resolves here through a private /etc/hosts (the CLI has no option to
// verify a name other than the one it dials) to the Service's ClusterIP (demo/service-address.ts).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paths, sandboxSpawn, toolPath } from '@nats-warden/local-cluster';
import { apiFor, secretData } from '../e2e/operator/cluster-api.ts';
import { clientServiceAddress } from './demo/service-address.ts';

const NAMESPACE = process.env.DEMO_NAMESPACE ?? 'nats-demo';
const CLUSTER = process.env.DEMO_CLUSTER ?? 'secure';
const USER = process.env.DEMO_USER ?? 'app';

const api = apiFor(process.env.KUBECONFIG ?? paths.kubeconfig);
const creds = await secretData(api, NAMESPACE, `${USER}-nats-credentials`);
const cert = await secretData(api, NAMESPACE, `${USER}-nats-client-tls`);
const address = await clientServiceAddress(api, NAMESPACE, CLUSTER);

const dir = mkdtempSync(join(tmpdir(), 'nats-warden-nats-'));
const host = `${CLUSTER}.${NAMESPACE}.svc.cluster.local`;
const files = {
  'ca.crt': creds['ca.crt'],
  'tls.crt': cert['tls.crt'],
  'tls.key': cert['tls.key'],
  'nkey.seed': creds['nkey.seed'],
  hosts: `127.0.0.1 localhost\n${address} ${host}\n`,
};
for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text ?? '', { mode: 0o600 });
const argv = [
  toolPath('nats'),
  '--server',
  `tls://${host}:4222`,
  '--tlsca',
  `${dir}/ca.crt`,
  '--tlscert',
  `${dir}/tls.crt`,
  '--tlskey',
  `${dir}/tls.key`,
  '--nkey',
  `${dir}/nkey.seed`,
  ...process.argv.slice(2),
];
const child = sandboxSpawn(
  {
    argv,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
    mounts: [{ source: join(dir, 'hosts'), target: '/etc/hosts', readOnly: true }],
    cwd: dir,
  },
  'inherit',
);
process.exitCode = await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
rmSync(dir, { recursive: true, force: true });
