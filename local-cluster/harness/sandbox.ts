// A sandbox for host processes: the process runs chrooted into a private root in a private mount
// namespace, with each volume bind-mounted at its mountPath. Nothing is written to the host's file
// system: the root is a tmpfs holding a bind of every top-level host entry, a missing top-level mount
// point (/data) is made in that tmpfs, and a missing nested one (/etc/nats) is made in an overlay of
// its nearest existing parent whose upper layer is in the same tmpfs. Every source is opened first
// (as a file descriptor) and mounted through /proc/self/fd, so a mount over a directory that holds
// later sources (a volume at /work hiding /work/main/.cluster/...) cannot hide them.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

// One empty host directory that every sandbox mounts its own tmpfs over, inside its own namespace.
const SANDBOX_MOUNT_POINT = join(tmpdir(), 'nats-warden-sandbox');

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

// Builds the private root at $new (tmpfs at $S, root at $S/root, overlay layers at $S/layers).
// The copy of $S that the bind of its own top-level ancestor brings along is detached again.
const ROOT_SETUP = String.raw`
S=$1; shift; new=$S/root
# The set-up uses the host's tools; the container gets its own PATH (or none) back at the exec.
if printenv PATH >/dev/null; then container_env=(--chdir="$cwd" PATH="$PATH"); else container_env=(-u PATH --chdir="$cwd"); fi
PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t tmpfs -o mode=755 nats-warden-sandbox "$S"
mkdir "$new" "$S/layers"
for entry in /* /.[!.]*; do
  [ -e "$entry" ] || [ -L "$entry" ] || continue
  if [ -L "$entry" ]; then ln -s "$(readlink "$entry")" "$new$entry"
  elif [ -d "$entry" ]; then mkdir "$new$entry"; mount --rbind "$entry" "$new$entry"
  else touch "$new$entry"; mount --bind "$entry" "$new$entry"; fi
done
umount -l "$new$S" 2>/dev/null || true
overlays='' layers=0
# Makes mount point $1 (a path as the container sees it; a dir or a file as $2 says) without writing
# to the host, and leaves the resolved path in $resolved.
ensure() {
  resolved=$(chroot "$new" realpath -m -- "$1")
  [ -e "$new$resolved" ] && return 0
  local parent=$resolved
  while [ ! -e "$new$parent" ]; do parent=$(dirname "$parent"); done
  local writable=false o
  [ "$parent" = / ] && writable=true # the tmpfs itself
  for o in $overlays; do case "$parent/" in "$o"*) writable=true ;; esac; done
  if [ "$writable" = false ]; then
    local layer=$S/layers/$((layers += 1))
    mkdir -p "$layer/upper" "$layer/work"
    mount -t overlay nats-warden-overlay \
      -o "lowerdir=$new$parent,upperdir=$layer/upper,workdir=$layer/work" "$new$parent"
    overlays="$overlays $parent/"
  fi
  if [ "$2" = dir ]; then mkdir -p "$new$resolved"
  else mkdir -p "$(dirname "$new$resolved")"; touch "$new$resolved"; fi
}
`;

export function sandboxSpawn(spec: SandboxSpec, stdio: StdioOptions): ChildProcess {
  mkdirSync(SANDBOX_MOUNT_POINT, { recursive: true });
  const lines = ['set -e', `cwd=${q(spec.cwd)}`];
  spec.mounts.forEach((m, i) => lines.push(`exec ${10 + i}<${q(m.source)}`));
  lines.push(ROOT_SETUP);
  // Every mount point first, then the mounts: as on a real node, a volume mounted over a directory
  // hides what was made inside it.
  spec.mounts.forEach((m, i) => {
    const kind = `$([ -d /proc/self/fd/${10 + i} ] && echo dir || echo file)`;
    lines.push(`ensure ${q(m.target)} ${kind}; target${i}=$resolved`);
  });
  spec.mounts.forEach((m, i) => {
    const fd = 10 + i;
    lines.push(`mount --bind /proc/self/fd/${fd} "$new$target${i}"`);
    if (m.readOnly) lines.push(`mount -o remount,bind,ro "$new$target${i}"`);
    lines.push(`exec ${fd}<&-`);
  });
  lines.push('exec chroot "$new" /usr/bin/env "${container_env[@]}" "$@"');
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
      SANDBOX_MOUNT_POINT,
      ...spec.argv,
    ],
    { stdio, env: spec.env },
  );
}
