// Validates a rendered configuration with the real nats-server (`nats-server -t`) before anything
// is applied: nats.conf, its Secret-backed includes and the certificate files are laid out under a
// private temporary root exactly as the pod sees them (absolute paths re-rooted there), then
// checked. A config the servers would reject is never rolled out (nats-io/k8s#443).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface ConfigFiles {
  /** Absolute in-pod path -> content, e.g. /etc/nats/config/nats.conf, /etc/nats/certs/server/tls.crt. */
  files: Record<string, string>;
  confPath: string;
  /** Environment the pod gives nats-server ($POD_NAME, $POD_IP, ...). */
  env: Record<string, string>;
  /** In-pod path prefixes to re-root (every absolute path nats.conf names starts with one). */
  roots: string[];
}

export type ValidationResult =
  { ok: true } | { ok: false; message: string } | { ok: 'skipped'; message: string };

/** The nats-server binary: NATS_SERVER_BIN, else `nats-server` if the image ships it. */
export function natsServerBinary(): string | undefined {
  const fromEnv = process.env.NATS_SERVER_BIN;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  for (const dir of (process.env.PATH ?? '').split(':'))
    if (dir && existsSync(join(dir, 'nats-server'))) return join(dir, 'nats-server');
  return undefined;
}

export async function validateConfig(
  config: ConfigFiles,
  binary = natsServerBinary(),
): Promise<ValidationResult> {
  if (!binary)
    return { ok: 'skipped', message: 'no nats-server binary to validate with (set NATS_SERVER_BIN)' };
  const root = mkdtempSync(join(tmpdir(), 'nats-warden-validate-'));
  try {
    const reroot = (text: string) =>
      config.roots.reduce((t, prefix) => t.split(`"${prefix}`).join(`"${root}${prefix}`), text);
    for (const [path, content] of Object.entries(config.files)) {
      const target = join(root, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, path.endsWith('.conf') ? reroot(content) : content, { mode: 0o600 });
    }
    for (const prefix of config.roots) mkdirSync(join(root, prefix), { recursive: true });
    const output = await new Promise<{ code: number; text: string }>((resolve) => {
      execFile(
        binary,
        ['-t', '-c', join(root, config.confPath)],
        { env: { PATH: process.env.PATH ?? '', ...config.env }, timeout: 15_000 },
        (error, stdout, stderr) => {
          resolve({
            code: error ? ((error as { code?: number }).code ?? 1) : 0,
            text: `${stdout}${stderr}`.split(root).join(''),
          });
        },
      );
    });
    return output.code === 0
      ? { ok: true }
      : { ok: false, message: output.text.trim().split('\n').slice(-3).join(' ') };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
