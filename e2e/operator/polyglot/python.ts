// The Python side of the polyglot clients: roundtrip.py on nats-py, run by the python of the cached
// venv (local-cluster/tools/python-venv.ts). Python verifies the server name itself (tls_hostname),
// so it dials the address directly.
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { natsPyPython } from '@nats-warden/local-cluster';
import { withCredentialFiles, type AppCredentials } from './credentials.ts';

const script = join(dirname(fileURLToPath(import.meta.url)), 'roundtrip.py');

function runPython(c: AppCredentials, mode: 'roundtrip' | 'publish', subject: string, payload: string) {
  return withCredentialFiles(
    c,
    (files) =>
      new Promise<string>((resolve, reject) => {
        const env: Record<string, string> = {
          PATH: '/usr/bin:/bin',
          NATS_ADDRESS: c.address,
          NATS_SERVERNAME: c.servername,
          NATS_CA: files.ca,
          ...(files.cert && files.key ? { NATS_CERT: files.cert, NATS_KEY: files.key } : {}),
          ...(files.creds ? { NATS_CREDS: files.creds } : {}),
          ...(files.nkey ? { NATS_NKEY: files.nkey } : {}),
          ...(c.username ? { NATS_USER: c.username, NATS_PASSWORD: c.password ?? '' } : {}),
        };
        execFile(
          natsPyPython(),
          [script, mode, subject, payload],
          { env, timeout: 20_000 },
          (error, stdout, stderr) => {
            if (error)
              reject(new Error(stderr.trim() || `nats-py exited with ${error.code ?? error.signal}`));
            else resolve(stdout);
          },
        );
      }),
  );
}

export const roundTripPython = (c: AppCredentials, subject: string, payload: string) =>
  runPython(c, 'roundtrip', subject, payload);

export async function publishPython(c: AppCredentials, subject: string, payload: string): Promise<void> {
  await runPython(c, 'publish', subject, payload);
}
