// The Node base image the Dockerfile's FROM names, assembled here because no container registry can
// be reached: Debian bookworm `debootstrap --variant=minbase` from the mirror apt already uses, with
// the Node binary the `node` npm devDependency ships and the machine's npm added under /usr/local,
// where the official node image keeps them. Tagged with the exact name the Dockerfile uses, so the
// same Dockerfile builds on the official image anywhere else. Cached as an OCI archive keyed by the
// Node, npm and Debian versions and by this file; loaded into buildah's storage when the storage lacks it.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../paths.ts';
import type { Buildah } from './buildah.ts';

const SUITE = 'bookworm';
const KEY_LABEL = 'org.nats-warden.base-key';

export interface NodeBase {
  /** The name the Dockerfile's FROM uses (its NODE_IMAGE default). */
  name: string;
  /** Node, npm, the Debian suite and this file's hash: what the cached archive is keyed by. */
  key: string;
}

/** The default of `ARG NODE_IMAGE=` in the Dockerfile, checked against the Node version we ship. */
export function nodeBaseFor(dockerfile: string): NodeBase {
  const name = /^ARG NODE_IMAGE=(\S+)$/m.exec(readFileSync(dockerfile, 'utf8'))?.[1];
  if (!name) throw new Error(`${dockerfile}: no \`ARG NODE_IMAGE=<name>\` default`);
  const node = nodeVersion();
  if (!name.endsWith(`:${node}-${SUITE}-slim`))
    throw new Error(
      `${dockerfile}: NODE_IMAGE ${name} does not match the node devDependency (${node}); ` +
        `make it node:${node}-${SUITE}-slim`,
    );
  // This file is the recipe: a change to how the base is assembled makes a new one (as tools.ts
  // keys a tool by its own main.go).
  const recipe = createHash('sha256')
    .update(readFileSync(fileURLToPath(import.meta.url)))
    .digest('hex');
  return { name, key: `node-base@${node}-npm${npmVersion()}-${SUITE}-${recipe.slice(0, 8)}` };
}

/** Makes sure buildah's storage holds the base image under its name, assembling it when not cached. */
export function ensureNodeBase(base: NodeBase, b: Buildah, imagesRoot: string): void {
  if (b.labels(base.name)?.[KEY_LABEL] === base.key) return;
  const archive = join(imagesRoot, `${base.key}.oci.tar`);
  if (!existsSync(archive)) assemble(base, b, imagesRoot, archive);
  else {
    // An archive's image is named after its ref; the name that matters is the FROM name.
    const id = b.run(['pull', '--quiet', `oci-archive:${archive}`], true).trim();
    b.run(['tag', id, base.name]);
  }
  // The untagged images left are the previous base and the layer cache built on it: of no further
  // use, and hundreds of MB each.
  b.run(['rmi', '--prune'], true);
}

function assemble(base: NodeBase, b: Buildah, imagesRoot: string, archive: string): void {
  if (process.env.NATS_WARDEN_NETNS)
    throw new Error(
      `${base.name} is not cached in ${imagesRoot} and the Debian mirror cannot be reached inside the ` +
        'network namespace: run `npm run tools -- build` first',
    );
  const started = Date.now();
  process.stderr.write(`images: assembling ${base.name} (${base.key}) with debootstrap ...\n`);
  mkdirSync(imagesRoot, { recursive: true });
  const work = mkdtempSync(join(imagesRoot, 'tmp-base-'));
  try {
    const rootfs = join(work, 'rootfs');
    try {
      execFileSync('debootstrap', ['--variant=minbase', SUITE, rootfs, debianMirror()], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        throw new Error('debootstrap is not installed: run .ci/setup-tools.sh (make demo and make test do)', {
          cause: error,
        });
      throw error;
    }
    // What the slim Debian images leave out too: documentation, manuals, locales, apt's downloads.
    for (const dir of [
      'usr/share/doc',
      'usr/share/man',
      'usr/share/info',
      'usr/share/locale',
      'var/lib/apt/lists',
      'var/cache/apt',
      'var/log',
    ])
      execFileSync('find', [join(rootfs, dir), '-mindepth', '1', '-delete']);
    const local = join(rootfs, 'usr', 'local');
    copyFileSync(
      realpathSync(join(repoRoot, 'node_modules', 'node', 'bin', 'node')),
      join(local, 'bin', 'node'),
    );
    execFileSync('chmod', ['0755', join(local, 'bin', 'node')]);
    mkdirSync(join(local, 'lib', 'node_modules'), { recursive: true });
    execFileSync('cp', ['-a', npmDir(), join(local, 'lib', 'node_modules', 'npm')]);
    symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(local, 'bin', 'npm'));
    symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(local, 'bin', 'npx'));
    // Device nodes and mount points stay empty: the runtime provides them.
    execFileSync('tar', [
      '-C',
      rootfs,
      '--exclude=./dev/*',
      '--exclude=./proc/*',
      '--exclude=./sys/*',
      '-cf',
      join(work, 'rootfs.tar'),
      '.',
    ]);
    rmSync(rootfs, { recursive: true, force: true });
    writeFileSync(
      join(work, 'Containerfile'),
      [
        'FROM scratch',
        'ADD rootfs.tar /',
        'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        `ENV NODE_VERSION=${nodeVersion()}`,
        `LABEL ${KEY_LABEL}=${base.key}`,
        'CMD ["node"]',
        '',
      ].join('\n'),
    );
    b.bud({ name: base.name, dockerfile: join(work, 'Containerfile'), context: work });
    b.exportArchive(base.name, archive, base.key.replace('@', '-'));
    // One base archive is kept: the ones of other keys are for versions or recipes no longer used.
    for (const old of readdirSync(imagesRoot))
      if (old.startsWith('node-base@') && old.endsWith('.oci.tar') && join(imagesRoot, old) !== archive)
        rmSync(join(imagesRoot, old), { force: true });
    process.stderr.write(
      `images: assembled ${base.name} in ${Math.round((Date.now() - started) / 1000)} s\n`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function nodeVersion(): string {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'node_modules', 'node', 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/**
 * The npm that `npm` on PATH runs (the official image ships npm beside node, so ours does too): the
 * package directory its bin/npm-cli.js link resolves into. Found without starting npm.
 */
function npmDir(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const bin = join(dir, 'npm');
    if (!dir || !existsSync(bin)) continue;
    const pkg = dirname(dirname(realpathSync(bin)));
    if (existsSync(join(pkg, 'package.json'))) return pkg;
  }
  throw new Error('npm not found on PATH (its package directory holds the npm the Node base image ships)');
}

function npmVersion(): string {
  return (JSON.parse(readFileSync(join(npmDir(), 'package.json'), 'utf8')) as { version: string }).version;
}

/** NATS_WARDEN_DEBIAN_MIRROR, else the Debian mirror apt's sources name, else deb.debian.org. */
function debianMirror(): string {
  if (process.env.NATS_WARDEN_DEBIAN_MIRROR) return process.env.NATS_WARDEN_DEBIAN_MIRROR;
  for (const file of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    const uri = existsSync(file) ? debianMirrorIn(readFileSync(file, 'utf8')) : undefined;
    if (uri) return uri;
  }
  return 'http://deb.debian.org/debian';
}

/** The main Debian archive's URI in apt sources text (deb822 `URIs:` or one-line `deb` form), if any. */
export function debianMirrorIn(sources: string): string | undefined {
  const deb822 = /^URIs:\s*(\S+\/debian)\/?\s*$/m;
  const oneLine = new RegExp(`^deb\\s+(?:\\[[^\\]]*\\]\\s+)?(\\S+\\/debian)\\/?\\s+${SUITE}\\s`, 'm');
  return deb822.exec(sources)?.[1] ?? oneLine.exec(sources)?.[1];
}
