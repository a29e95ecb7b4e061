// Builds the pinned tools (versions.json) from the Go module proxy into a cache outside the repo,
// keyed by name and version, so a second run only checks that the binaries are there.
//   node local-cluster/tools/tools.ts build [NAME...]   build what is missing (all when no name is given)
//   node local-cluster/tools/tools.ts bin-dir           the directory that holds a link to every binary
//   node local-cluster/tools/tools.ts list              each binary, its version and where it is
//   node local-cluster/tools/tools.ts path NAME         one binary's path
// `build` with no name (or with nats-py) also installs nats-py into its venv (python-venv.ts), and
// builds the container images (images.ts; or name them: image:nats-warden, image:nats-server).
//   node local-cluster/tools/tools.ts path image:NAME     an image's OCI archive
// A binary provided by the environment (the tool's `env` variable, or KUBEBUILDER_ASSETS for the
// control-plane binaries) is used instead of building. docs/tools.md says what is built and why.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandVersion, localReplacedRequirements, plainCrd } from './gomod.ts';
import { buildImage, IMAGE_NAMES, imageFor, type BuiltImage, type ImageName } from './images.ts';
import { NATS_PY_VERSION, pythonWithNatsPy, venvPython } from './python-venv.ts';

export interface ToolSpec {
  version: string;
  module: string;
  package: string;
  binary: string;
  /** Environment variable naming a ready binary to use instead of building. */
  env?: string;
  /** Set when the binary ships in a KUBEBUILDER_ASSETS directory (kube-apiserver, etcd, kubectl). */
  kubebuilderAsset?: boolean;
  /** go.mod `replace` lines the build needs (modules whose own go.mod replaces staging modules). */
  replace?: Record<string, string>;
  /** Extra `require` lines for the wrapper module. */
  require?: Record<string, string>;
  /**
   * For a module whose go.mod requires modules and replaces them onto directories inside itself
   * (k8s.io/kubernetes and its staging modules): the published version to use for each of them,
   * derived from the module's go.mod at build time. May use {major}, {minor}, {patch} of `version`.
   */
  replaceLocal?: string;
  /**
   * A Go source file of ours (relative to local-cluster/tools) that is the main package; the wrapper module
   * itself is built instead of `package`, which then only names what it imports.
   */
  main?: string;
  /** Not a binary: this directory of the module's CRD files, made plain (gomod.ts plainCrd). */
  crdDir?: string;
  /** Arguments that make the binary print its version (for `list`). */
  versionArgs?: string[];
  /** Build tags and linker flags ({version}, {major}, {minor}, {patch} are expanded). */
  tags?: string[];
  ldflags?: string;
  /** Build with CGO_ENABLED=1 (default 0). */
  cgo?: boolean;
}

const here = dirname(fileURLToPath(import.meta.url));
export const toolSpecs: Record<string, ToolSpec> = Object.fromEntries(
  Object.entries(
    JSON.parse(readFileSync(join(here, 'versions.json'), 'utf8')) as Record<string, unknown>,
  ).filter(([name]) => !name.startsWith('$')),
) as Record<string, ToolSpec>;

export const cacheRoot = process.env.NATS_WARDEN_CACHE ?? join(homedir(), '.cache', 'nats-warden');
const toolsRoot = join(cacheRoot, 'tools');

/** The python of the cached nats-py venv (python-venv.ts), installing it first when missing. */
export const natsPyPython = (): string => pythonWithNatsPy(cacheRoot);

function builtPath(name: string, spec: ToolSpec): string {
  // A main of ours is part of what is built: its content is part of the key.
  const ours = spec.main
    ? '-' +
      createHash('sha256')
        .update(readFileSync(join(here, spec.main)))
        .digest('hex')
        .slice(0, 8)
    : '';
  return join(toolsRoot, `${name}@${spec.version}${ours}`, spec.binary);
}

function providedPath(spec: ToolSpec): string | undefined {
  const fromEnv = spec.env ? process.env[spec.env] : undefined;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const assets = process.env.KUBEBUILDER_ASSETS;
  if (spec.kubebuilderAsset && assets && existsSync(join(assets, spec.binary)))
    return join(assets, spec.binary);
  return undefined;
}

function spec(name: string): ToolSpec {
  const found = toolSpecs[name];
  if (!found) throw new Error(`unknown tool ${name}; known: ${Object.keys(toolSpecs).join(', ')}`);
  return found;
}

/** The path of a tool's binary, building it first when it is neither provided nor cached. */
export function toolPath(name: string): string {
  const s = spec(name);
  const provided = providedPath(s);
  if (provided) return provided;
  const path = builtPath(name, s);
  if (existsSync(path)) return path;
  // Inside the local cluster's network namespace the Go module proxy cannot be reached; netns.sh
  // builds every tool before it enters one, so a missing tool here means an entry point skipped it.
  if (process.env.NATS_WARDEN_NETNS)
    throw new Error(
      `tool ${name} is not built in ${toolsRoot} and cannot be built inside the network namespace: ` +
        'run `npm run tools -- build` first',
    );
  build(name, s);
  return path;
}

function goModFor(s: ToolSpec, localReplaces: string[]): string {
  const requires = { [s.module]: s.version, ...(s.require ?? {}) };
  const lines = ['module nats-warden.local/tools', '', 'go 1.25', ''];
  for (const [mod, version] of Object.entries(requires)) lines.push(`require ${mod} ${version}`);
  for (const [mod, target] of Object.entries(s.replace ?? {})) lines.push(`replace ${mod} => ${target}`);
  const to = s.replaceLocal ? expandVersion(s.replaceLocal, s.version) : '';
  for (const mod of localReplaces) lines.push(`replace ${mod} => ${mod} ${to}`);
  return lines.join('\n') + '\n';
}

function goEnv(s: ToolSpec): NodeJS.ProcessEnv {
  return { ...process.env, GOFLAGS: '-mod=mod', CGO_ENABLED: s.cgo ? '1' : '0', GOTOOLCHAIN: 'auto' };
}

/** Downloads a module into the module cache; returns its directory and go.mod file. */
function download(s: ToolSpec, cwd: string): { Dir: string; GoMod: string } {
  const out = execFileSync('go', ['mod', 'download', '-json', `${s.module}@${s.version}`], {
    cwd,
    env: { ...goEnv(s), GOFLAGS: '' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out) as { Dir: string; GoMod: string };
}

/** Copies a module's CRD files, made plain, into the cache. */
function buildCrds(name: string, s: ToolSpec, work: string): void {
  const out = builtPath(name, s);
  const from = join(download(s, work).Dir, s.crdDir ?? '');
  const partial = `${out}.partial-${process.pid}`;
  mkdirSync(partial, { recursive: true });
  const files = readdirSync(from).filter((f) => /\.ya?ml$/.test(f));
  if (files.length === 0) throw new Error(`${name}: no YAML files in ${from}`);
  for (const file of files) {
    writeFileSync(
      join(partial, file.replace(/^crd-/, '')),
      plainCrd(readFileSync(join(from, file), 'utf8'), file),
    );
  }
  // Another process may have finished the same directory first; either copy is complete.
  if (existsSync(out)) rmSync(partial, { recursive: true, force: true });
  else renameSync(partial, out);
}

/** Builds in a throwaway wrapper module so that `replace` lines and extra requires can be given. */
function build(name: string, s: ToolSpec): void {
  const out = builtPath(name, s);
  const work = mkdtempSync(join(tmpdir(), `nats-warden-tool-${name}-`));
  const started = Date.now();
  process.stderr.write(`tools: building ${name} ${s.version} (${s.crdDir ? s.module : s.package}) ...\n`);
  try {
    mkdirSync(dirname(out), { recursive: true });
    if (s.crdDir) {
      buildCrds(name, s, work);
    } else {
      const localReplaces = s.replaceLocal
        ? localReplacedRequirements(readFileSync(download(s, work).GoMod, 'utf8'))
        : [];
      writeFileSync(join(work, 'go.mod'), goModFor(s, localReplaces));
      if (s.main) copyFileSync(join(here, s.main), join(work, 'main.go'));
      else
        writeFileSync(
          join(work, 'tools.go'),
          `//go:build tools\n\npackage tools\n\nimport _ "${s.package}"\n`,
        );
      const env = goEnv(s);
      const run = (args: string[]) =>
        execFileSync('go', args, { cwd: work, env, stdio: ['ignore', 'inherit', 'inherit'] });
      run(['mod', 'tidy', '-e']);
      // -p 2: the CI machine has two cores; more parallel compiles only cost memory.
      const partial = `${out}.partial-${process.pid}`;
      const args = ['build', '-p', '2', '-trimpath', '-o', partial];
      if (s.tags?.length) args.push('-tags', s.tags.join(','));
      args.push('-ldflags', expandVersion(s.ldflags ?? '-s -w', s.version));
      run([...args, s.main ? '.' : s.package]);
      renameSync(partial, out);
    }
    process.stderr.write(`tools: built ${name} in ${Math.round((Date.now() - started) / 1000)} s\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const imageSources = () => ({
  cacheRoot,
  natsServerBinary: () => toolPath('nats-server'),
  natsServerVersion: spec('nats-server').version,
  natsCliBinary: () => toolPath('nats'),
  natsCliVersion: spec('nats').version,
});

/** An image's OCI archive (and its name and tag), building it first when the cache has none for the current sources. */
export const imageArchive = (name: ImageName): BuiltImage => buildImage(name, imageSources());

const asImage = (arg: string): ImageName | undefined => {
  const name = arg.startsWith('image:') ? arg.slice('image:'.length) : undefined;
  if (name === undefined) return undefined;
  if (!(IMAGE_NAMES as readonly string[]).includes(name))
    throw new Error(`unknown image ${name}; known: ${IMAGE_NAMES.join(', ')}`);
  return name as ImageName;
};

/** A directory of links to every tool, named after the set of versions, so PATH can point at it. */
export function binDir(): string {
  const dir = join(toolsRoot, 'bin');
  mkdirSync(dir, { recursive: true });
  for (const name of Object.keys(toolSpecs)) {
    if (spec(name).crdDir) continue;
    const target = toolPath(name);
    const link = join(dir, spec(name).binary);
    rmSync(link, { force: true });
    symlinkSync(target, link);
  }
  return dir;
}

/** What the binary says its version is (first line), or for a CRD directory the number of files. */
function reportedVersion(s: ToolSpec, path: string): string {
  if (statSync(path).isDirectory()) return `${readdirSync(path).length} CRD files`;
  if (!s.versionArgs) return '';
  try {
    const out = execFileSync(path, s.versionArgs, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 10_000,
    });
    return (out.trim().split('\n')[0] ?? '').trim();
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return ((e.stdout || e.stderr || '').trim().split('\n')[0] ?? '').trim() || '(version check failed)';
  }
}

function main(argv: string[]): void {
  const [command, ...rest] = argv;
  switch (command) {
    case 'build':
      for (const name of rest.length ? rest : Object.keys(toolSpecs))
        if (name !== 'nats-py' && !asImage(name)) toolPath(name);
      if (!rest.length || rest.includes('nats-py')) natsPyPython();
      for (const name of rest.length ? rest.map(asImage) : IMAGE_NAMES) if (name) imageArchive(name);
      return;
    case 'bin-dir':
      process.stdout.write(binDir() + '\n');
      return;
    case 'path': {
      const image = asImage(rest[0] ?? '');
      process.stdout.write((image ? imageArchive(image).archive : toolPath(rest[0] ?? '')) + '\n');
      return;
    }
    case 'list':
      for (const [name, s] of Object.entries(toolSpecs)) {
        const path = providedPath(s) ?? builtPath(name, s);
        const built = existsSync(path);
        process.stdout.write(
          `${name}\t${s.version}\t${built ? path : '(not built)'}\t${built ? reportedVersion(s, path) : ''}\n`,
        );
      }
      process.stdout.write(
        `nats-py\t${NATS_PY_VERSION}\t${existsSync(venvPython(cacheRoot)) ? venvPython(cacheRoot) : '(not built)'}\t\n`,
      );
      for (const name of IMAGE_NAMES) {
        // Listing builds nothing: without its binary, the nats-server (nats-box) image cannot be named yet.
        const binary = name === 'nats-server' ? 'nats-server' : name === 'nats-box' ? 'nats' : undefined;
        if (binary && !existsSync(builtPath(binary, spec(binary))) && !providedPath(spec(binary))) {
          process.stdout.write(`image:${name}\t\t(not built)\t\n`);
          continue;
        }
        const image = imageFor(name, imageSources());
        const built = existsSync(image.archive);
        process.stdout.write(
          `image:${name}\t${image.tag}\t${built ? image.archive : '(not built)'}\t${image.reference}\n`,
        );
      }
      return;
    default:
      process.stderr.write(
        'usage: tools.ts build [NAME|image:NAME...] | bin-dir | list | path NAME|image:NAME\n',
      );
      process.exitCode = 2;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
