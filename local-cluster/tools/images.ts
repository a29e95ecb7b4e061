// The project's container images, built with buildah (buildah.ts) into OCI archives in the tool
// cache, keyed by a hash of everything each build reads, so a second `tools build` only finds the
// archives there. Two images:
//   nats-warden  the repository's Dockerfile: the operator and the reloader sidecar, on the Node base
//                (node-base.ts). Its npm packages come from this machine's npm cache (`npm ci
//                --offline`, the cache mounted into the build), so the build needs no network.
//   nats-server  images/nats-server/Dockerfile: FROM scratch plus the binary tools.ts builds.
//   nats-box     images/nats-box/Dockerfile: the Node base's Debian plus the nats CLI tools.ts builds,
//                for client pods on the real nodes (the official natsio/nats-box cannot be pulled).
// Names are localhost/<image>:<version>-<content hash>; the archive's index names the image by that
// tag (org.opencontainers.image.ref.name), so `ctr images import --base-name localhost/<image>` and
// `umoci unpack --image DIR:<tag>` find it.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { repoRoot } from '../paths.ts';
import { buildah, type Buildah } from './buildah.ts';
import { ensureNodeBase, nodeBaseFor } from './node-base.ts';

export const IMAGE_NAMES = ['nats-warden', 'nats-server', 'nats-box'] as const;
export type ImageName = (typeof IMAGE_NAMES)[number];

export interface BuiltImage {
  name: ImageName;
  /** localhost/<name>:<tag>, as tagged in buildah's storage. */
  reference: string;
  /** <version>-<first 12 hex digits of the content hash>; also the archive's ref name. */
  tag: string;
  /** The OCI archive (`oci-archive:` transport) in the cache. */
  archive: string;
}

/** What the build of an image reads, and how it is run. */
interface Recipe {
  version: string;
  /** Files whose content (and path) the image depends on. */
  inputs: string[];
  /** Anything else the image depends on (the base image's key, the binary's version). */
  extra: () => string[];
  build(reference: string, b: Buildah): void;
}

const imagesRootOf = (cacheRoot: string) => join(cacheRoot, 'images');

/** Every file under `dir` (relative to the repository), sorted, optionally filtered. */
function filesUnder(dir: string, keep: (path: string) => boolean = () => true): string[] {
  const out: string[] = [];
  const walk = (abs: string) => {
    for (const entry of readdirSync(abs).sort()) {
      const path = join(abs, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (keep(path)) out.push(relative(repoRoot, path));
    }
  };
  walk(join(repoRoot, dir));
  return out;
}

export interface Sources {
  cacheRoot: string;
  /** The nats-server binary tools.ts builds (built on first use) and its pinned version. */
  natsServerBinary: () => string;
  natsServerVersion: string;
  /** The nats CLI binary tools.ts builds and its pinned version. */
  natsCliBinary: () => string;
  natsCliVersion: string;
}

function recipes({
  cacheRoot,
  natsServerBinary,
  natsServerVersion,
  natsCliBinary,
  natsCliVersion,
}: Sources): Record<ImageName, Recipe> {
  const imagesRoot = imagesRootOf(cacheRoot);
  const dockerfile = join(repoRoot, 'Dockerfile');
  const base = nodeBaseFor(dockerfile);
  const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string })
    .version;
  return {
    'nats-warden': {
      version,
      // Exactly what .dockerignore lets into the build context.
      inputs: [
        'Dockerfile',
        '.dockerignore',
        'package.json',
        'package-lock.json',
        'local-cluster/package.json',
        'tsconfig.json',
        'tsconfig.build.json',
        ...filesUnder('src', (p) => !p.endsWith('.test.ts')),
        ...filesUnder('bin'),
      ],
      extra: () => [base.key],
      build(reference, b) {
        ensureNodeBase(base, b, imagesRoot);
        const npmCache = execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim();
        b.bud({
          name: reference,
          dockerfile,
          context: repoRoot,
          // Read-write: mounted read-only, `npm ci --offline` found no cached entry (ENOTCACHED) for
          // packages it resolves through their packument, though the same cache served it read-write.
          // Only the npm cache is shared with the build; what the build makes stays in the image.
          args: [
            '--volume',
            `${npmCache}:/root/.npm`,
            '--build-arg',
            'NPM_CI_FLAGS=--offline',
            '--build-arg',
            `VERSION=${version}`,
          ],
        });
      },
    },
    'nats-server': {
      version: natsServerVersion,
      inputs: ['images/nats-server/Dockerfile'],
      extra: () => [natsServerVersion, sha256(readFileSync(natsServerBinary()))],
      build(reference, b) {
        // The context is the binary alone: a directory of its own, removed afterwards.
        mkdirSync(imagesRoot, { recursive: true });
        const context = mkdtempSync(join(imagesRoot, 'tmp-nats-server-'));
        try {
          copyFileSync(natsServerBinary(), join(context, 'nats-server'));
          b.bud({
            name: reference,
            dockerfile: join(repoRoot, 'images', 'nats-server', 'Dockerfile'),
            context,
            args: ['--build-arg', `VERSION=${natsServerVersion}`],
          });
        } finally {
          rmSync(context, { recursive: true, force: true });
        }
      },
    },
    'nats-box': {
      version: natsCliVersion,
      inputs: ['images/nats-box/Dockerfile'],
      extra: () => [base.key, natsCliVersion, sha256(readFileSync(natsCliBinary()))],
      build(reference, b) {
        ensureNodeBase(base, b, imagesRoot);
        mkdirSync(imagesRoot, { recursive: true });
        const context = mkdtempSync(join(imagesRoot, 'tmp-nats-box-'));
        try {
          copyFileSync(natsCliBinary(), join(context, 'nats'));
          b.bud({
            name: reference,
            dockerfile: join(repoRoot, 'images', 'nats-box', 'Dockerfile'),
            context,
            args: ['--build-arg', `BASE=${base.name}`, '--build-arg', `VERSION=${natsCliVersion}`],
          });
        } finally {
          rmSync(context, { recursive: true, force: true });
        }
      },
    },
  };
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Archives of one image kept in the cache, the newest first (one per checkout at work). */
const KEEP_ARCHIVES = 4;

/** The content hash of an image's build: paths and contents of its inputs, and its extras. */
function contentHash(recipe: Recipe): string {
  const hash = createHash('sha256');
  for (const path of recipe.inputs)
    hash
      .update(`${path}\0`)
      .update(readFileSync(join(repoRoot, path)))
      .update('\0');
  for (const extra of recipe.extra()) hash.update(`${extra}\0`);
  return hash.digest('hex');
}

function describe(name: ImageName, recipe: Recipe, cacheRoot: string): BuiltImage {
  const tag = `${recipe.version}-${contentHash(recipe).slice(0, 12)}`;
  return {
    name,
    reference: `localhost/${name}:${tag}`,
    tag,
    archive: join(imagesRootOf(cacheRoot), `${name}@${tag}.oci.tar`),
  };
}

/** Where an image's archive is for the current sources, whether or not it is built yet. */
export function imageFor(name: ImageName, sources: Sources): BuiltImage {
  return describe(name, recipes(sources)[name], sources.cacheRoot);
}

/**
 * The image's archive, building it first when the cache has none for the current content. Older
 * archives of the same image are removed once the new one is in place (one per image is kept).
 */
export function buildImage(name: ImageName, sources: Sources): BuiltImage {
  const recipe = recipes(sources)[name];
  const image = describe(name, recipe, sources.cacheRoot);
  if (existsSync(image.archive)) return image;
  if (process.env.NATS_WARDEN_NETNS)
    throw new Error(
      `image ${image.reference} is not built in ${dirname(image.archive)} and is not built inside the ` +
        'network namespace: run `npm run tools -- build` first',
    );
  const started = Date.now();
  process.stderr.write(`images: building ${image.reference} ...\n`);
  const b = buildah(imagesRootOf(sources.cacheRoot));
  recipe.build(image.reference, b);
  b.exportArchive(image.reference, image.archive, image.tag);
  // Older archives go, but the newest few stay: checkouts side by side (worktrees, a CI clone)
  // each build their own sources into this one cache and must not delete each other's image.
  const dir = dirname(image.archive);
  const older = readdirSync(dir)
    .filter((f) => f.startsWith(`${name}@`) && f.endsWith('.oci.tar') && f !== basename(image.archive))
    .sort((a, b) => statSync(join(dir, b)).mtimeMs - statSync(join(dir, a)).mtimeMs)
    .slice(KEEP_ARCHIVES - 1);
  for (const old of older) {
    rmSync(join(dirname(image.archive), old), { force: true });
    const oldTag = old.slice(name.length + 1, -'.oci.tar'.length);
    if (b.labels(`localhost/${name}:${oldTag}`)) b.run(['rmi', `localhost/${name}:${oldTag}`], true);
  }
  process.stderr.write(
    `images: built ${image.reference} in ${Math.round((Date.now() - started) / 1000)} s ` +
      `(${(statSync(image.archive).size / 1e6).toFixed(1)} MB archive)\n`,
  );
  return image;
}
