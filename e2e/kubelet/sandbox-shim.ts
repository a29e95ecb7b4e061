// TEMPORARY stand-in until e2e/sandbox/sandbox.ts is wired in: the container's process in a private
// mount namespace with each volume bind-mounted at its mountPath. Every source is opened first (as a
// file descriptor) and mounted through /proc/self/fd, so a mount over a directory that holds later
// sources (a volume at /work hiding /work/main/.cluster/...) cannot hide them. Missing mount points
// are created on the host as empty directories or files.
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
  spec.mounts.forEach((m, i) => {
    const fd = 10 + i;
    lines.push(`exec ${fd}<${q(m.source)}`);
    lines.push(
      `if [ -d ${q(m.source)} ]; then mkdir -p ${q(m.target)}; else [ -e ${q(m.target)} ] || { mkdir -p "$(dirname ${q(m.target)})"; touch ${q(m.target)}; }; fi`,
    );
  });
  spec.mounts.forEach((m, i) => {
    const fd = 10 + i;
    lines.push(`mount --bind /proc/self/fd/${fd} ${q(m.target)}`);
    if (m.readOnly) lines.push(`mount -o remount,bind,ro ${q(m.target)}`);
    lines.push(`exec ${fd}<&-`);
  });
  lines.push(`cd ${q(spec.cwd)}`, 'exec "$@"');
  return spawn(
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      '--',
      '/bin/bash',
      '-c',
      lines.join('\n'),
      'sandbox',
      ...spec.argv,
    ],
    {
      stdio,
      env: spec.env,
    },
  );
}
