// The only emulated part of a container: its image. An image is mapped to the local binary that
// would be its entrypoint (nats -> nats-server, the operator's image -> node running our CLI,
// node -> this Node, nats-box -> a shell with the nats CLI on PATH, anything else -> the command as given, found on
// the host). A bin directory of links puts the same names on every container's PATH, so commands
// such as `nats-server --signal ...` in hooks and sidecars work as they do in the real images.
import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toolPath } from '../tools/tools.ts';
import { repoRoot } from '../paths.ts';

export interface Entrypoint {
  command: string[];
  args: string[];
}

/** Creates `<dir>/bin` with nats-server, nats and nats-warden; returns the directory. */
export function makeBinDir(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const tool of ['nats-server', 'nats']) {
    rmSync(join(bin, tool), { force: true });
    symlinkSync(toolPath(tool), join(bin, tool));
  }
  rmSync(join(bin, 'node'), { force: true });
  symlinkSync(process.execPath, join(bin, 'node'));
  const cli = join(repoRoot, 'src', 'cli', 'main.ts');
  const wrapper = join(bin, 'nats-warden');
  writeFileSync(wrapper, `#!/bin/sh\nexec '${process.execPath}' '${cli}' "$@"\n`);
  chmodSync(wrapper, 0o755);
  return bin;
}

function repository(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  const name = colon > lastSlash ? noDigest.slice(0, colon) : noDigest;
  return name.slice(name.lastIndexOf('/') + 1);
}

/** The image's ENTRYPOINT and CMD, as far as the kubelet emulates them. */
export function imageEntrypoint(image: string): Entrypoint {
  switch (repository(image)) {
    case 'nats':
      return { command: ['nats-server'], args: ['--config', '/etc/nats/nats-server.conf'] };
    case 'nats-warden':
      return { command: ['nats-warden'], args: [] };
    case 'node':
      return { command: ['node'], args: [] };
    case 'nats-box':
      return { command: ['sh'], args: [] };
    default:
      return { command: ['sh'], args: [] };
  }
}

/** The container's argv: Kubernetes' command/args rules over the image's entrypoint. */
export function containerArgv(container: { image: string; command?: string[]; args?: string[] }): string[] {
  const image = imageEntrypoint(container.image);
  if (container.command?.length) return [...container.command, ...(container.args ?? [])];
  return [...image.command, ...(container.args ?? image.args)];
}
