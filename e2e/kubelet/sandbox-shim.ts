// TEMPORARY stand-in until e2e/sandbox/sandbox.ts lands: a private mount namespace with bind mounts.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';

export interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}

export interface SandboxSpec {
  argv: string[];
  env: Record<string, string>;
  mounts: Mount[];
  cwd: string;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function sandboxSpawn(spec: SandboxSpec, stdio: StdioOptions): ChildProcess {
  const lines = ['set -e'];
  for (const m of spec.mounts) {
    lines.push(`if [ -d ${q(m.source)} ]; then mkdir -p ${q(m.target)}; else [ -e ${q(m.target)} ] || touch ${q(m.target)}; fi`);
    lines.push(`mount --bind ${q(m.source)} ${q(m.target)}`);
    if (m.readOnly) lines.push(`mount -o remount,bind,ro ${q(m.target)}`);
  }
  lines.push(`cd ${q(spec.cwd)}`, 'exec "$@"');
  return spawn('unshare', ['--mount', '--propagation', 'private', '--', '/bin/sh', '-c', lines.join('\n'), 'sh', ...spec.argv], {
    stdio,
    env: spec.env,
  });
}
