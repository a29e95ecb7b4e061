// The credentials an application mounts from its Secret, and the same as files in a private
// temporary directory (mode 0700, each file 0600, removed after use) for the clients that read
// files: the nats CLI and nats-py take paths, never the secrets themselves on a command line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface AppCredentials {
  /** Host or IP to dial (port 4222). */
  address: string;
  /** The TLS name to verify (the client Service DNS name): servers are dialed by IP. */
  servername: string;
  ca: string;
  creds?: string;
  nkeySeed?: string;
  username?: string;
  password?: string;
  cert?: { crt: string; key: string };
}

export interface CredentialFiles {
  dir: string;
  ca: string;
  cert?: string;
  key?: string;
  creds?: string;
  nkey?: string;
}

/** Runs `use` with the credentials written to files, and removes them afterwards whatever happens. */
export async function withCredentialFiles<T>(
  c: AppCredentials,
  use: (files: CredentialFiles) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'nats-warden-app-')); // mkdtemp makes it 0700
  const write = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  };
  try {
    return await use({
      dir,
      ca: write('ca.crt', c.ca),
      ...(c.cert ? { cert: write('tls.crt', c.cert.crt), key: write('tls.key', c.cert.key) } : {}),
      ...(c.creds ? { creds: write('user.creds', c.creds) } : {}),
      ...(c.nkeySeed ? { nkey: write('nkey.seed', c.nkeySeed.trim() + '\n') } : {}),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
