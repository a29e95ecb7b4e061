// buildah with its storage inside the tool cache (not the machine's /var/lib/containers), so the
// images the project builds stay apart from anything else on the machine and `rm -rf` of the cache
// removes them too. Chroot isolation: the build uses the host's network as it is and creates no
// network of its own (no CNI, no bridge), which is the only network mode buildah allows with chroot.
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export interface Buildah {
  /** Runs a buildah command; its output goes to stderr unless `capture` (then stdout is returned). */
  run(args: string[], capture?: boolean): string;
  /** The image's labels, or undefined when the storage has no image of that name. */
  labels(name: string): Record<string, string> | undefined;
  /** Builds a Dockerfile into `name` (`--pull-never`: every FROM must already be in the storage). */
  bud(opts: { name: string; dockerfile: string; context: string; args?: string[] }): void;
  /** Exports `name` as an OCI archive at `archive`, its index naming it `ref`. Written whole or not at all. */
  exportArchive(name: string, archive: string, ref: string): void;
}

export function buildah(imagesRoot: string): Buildah {
  const global = [
    '--root',
    join(imagesRoot, 'containers', 'storage'),
    '--runroot',
    join(imagesRoot, 'containers', 'run'),
  ];
  const run = (args: string[], capture = false): string => {
    const options: ExecFileSyncOptions = {
      stdio: ['ignore', capture ? 'pipe' : process.stderr, 'inherit'],
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    };
    try {
      return String(execFileSync('buildah', [...global, ...args], options) ?? '');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new Error('buildah is not installed: run .ci/setup-tools.sh (apt-get install buildah)', {
          cause: error,
        });
      throw error;
    }
  };
  return {
    run,
    labels(name) {
      try {
        const out = execFileSync('buildah', [...global, 'inspect', '--type', 'image', name], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
          maxBuffer: 64 * 1024 * 1024,
        });
        const image = JSON.parse(out) as { OCIv1?: { config?: { Labels?: Record<string, string> } } };
        return image.OCIv1?.config?.Labels ?? {};
      } catch {
        return undefined;
      }
    },
    bud({ name, dockerfile, context, args = [] }) {
      run([
        'bud',
        '--isolation',
        'chroot',
        '--pull-never',
        '--layers',
        ...args,
        '-f',
        dockerfile,
        '-t',
        name,
        context,
      ]);
    },
    exportArchive(name, archive, ref) {
      const partial = `${archive}.partial-${process.pid}`;
      rmSync(partial, { force: true });
      run(['push', '--quiet', name, `oci-archive:${partial}:${ref}`]);
      // Another process may have exported the same content first; either archive is complete.
      if (existsSync(archive)) rmSync(partial, { force: true });
      else renameSync(partial, archive);
    },
  };
}
