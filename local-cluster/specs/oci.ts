// Looks inside and runs the OCI archives the tool build exports, with the same parts a node uses:
// skopeo reads the image config, umoci unpacks the layers into a runtime bundle (its config.json
// carries the image's user, entrypoint, environment and working directory), and runc runs it. The
// container gets runc's own empty network namespace: nothing here touches the host's network.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ImageConfig {
  config: {
    User?: string;
    Entrypoint?: string[];
    Cmd?: string[];
    Env?: string[];
    Labels?: Record<string, string>;
  };
  rootfs: { diff_ids: string[] };
}

function run(command: string, args: string[], timeout = 120_000) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function mustRun(command: string, args: string[]): string {
  const { code, stdout, stderr } = run(command, args);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}`);
  return stdout;
}

/** The image's config (user, entrypoint, labels, layers) as skopeo reads it from the archive. */
export const imageConfig = (archive: string): ImageConfig =>
  JSON.parse(mustRun('skopeo', ['inspect', '--config', `oci-archive:${archive}`])) as ImageConfig;

/** The files of the image's layers (paths as stored), read straight from the archive's blobs. */
export function layerFiles(archive: string, ref: string): string[][] {
  const dir = mkdtempSync(join(tmpdir(), 'oci-layers-'));
  try {
    mustRun('tar', ['-xf', archive, '-C', dir]);
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as {
      manifests: { digest: string; annotations?: Record<string, string> }[];
    };
    const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === ref);
    if (!entry) throw new Error(`${archive}: no manifest named ${ref}`);
    const blob = (digest: string) => join(dir, 'blobs', ...digest.split(':'));
    const manifest = JSON.parse(readFileSync(blob(entry.digest), 'utf8')) as { layers: { digest: string }[] };
    return manifest.layers.map((layer) =>
      mustRun('tar', ['-tzf', blob(layer.digest)])
        .split('\n')
        .filter(Boolean),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Bundle {
  dir: string;
  /** The config.json umoci wrote from the image config. */
  spec: RuntimeSpec;
  /** Bytes of the unpacked root filesystem. */
  rootfsBytes: number;
}

interface RuntimeSpec {
  process: { args: string[]; user: { uid: number; gid: number }; terminal?: boolean; cwd: string };
  root: { path: string; readonly?: boolean };
  mounts: { destination: string; type: string; source: string; options?: string[] }[];
}

/** Unpacks the archive's image `ref` into a runtime bundle under a fresh temporary directory. */
export function unpack(archive: string, ref: string): Bundle {
  const dir = mkdtempSync(join(tmpdir(), 'oci-bundle-'));
  const layout = join(dir, 'layout');
  mkdirSync(layout);
  mustRun('tar', ['-xf', archive, '-C', layout]);
  mustRun('umoci', ['unpack', '--image', `${layout}:${ref}`, join(dir, 'bundle')]);
  rmSync(layout, { recursive: true, force: true });
  const bundle = join(dir, 'bundle');
  const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8')) as RuntimeSpec;
  const rootfsBytes = Number(mustRun('du', ['-sb', join(bundle, spec.root.path)]).split('\t')[0]);
  return { dir: bundle, spec, rootfsBytes };
}

export interface RunOptions {
  /** The process's arguments (argv[0] included). */
  args: string[];
  /** The root filesystem read-only, as readOnlyRootFilesystem makes it. */
  readOnlyRoot: boolean;
  /** Host paths bound into the container (read-only unless given as { source, writable: true }). */
  binds?: Record<string, string | { source: string; writable: true }>;
}

function writeSpec(bundle: Bundle, options: RunOptions): void {
  const spec: RuntimeSpec = structuredClone(bundle.spec);
  spec.process.args = options.args;
  spec.process.terminal = false;
  spec.root.readonly = options.readOnlyRoot;
  for (const [destination, bind] of Object.entries(options.binds ?? {})) {
    const { source, writable } = typeof bind === 'string' ? { source: bind, writable: false } : bind;
    spec.mounts.push({ destination, type: 'bind', source, options: ['rbind', writable ? 'rw' : 'ro'] });
  }
  writeFileSync(join(bundle.dir, 'config.json'), JSON.stringify(spec));
}

/** Runs one process in the bundle with runc (state under a temporary directory), to completion. */
export function runInBundle(bundle: Bundle, options: RunOptions) {
  writeSpec(bundle, options);
  const state = mkdtempSync(join(tmpdir(), 'runc-state-'));
  const id = `nats-warden-image-${randomBytes(4).toString('hex')}`;
  try {
    return run('runc', ['--root', state, 'run', '--bundle', bundle.dir, id], 60_000);
  } finally {
    run('runc', ['--root', state, 'delete', '--force', id]);
    rmSync(state, { recursive: true, force: true });
  }
}

export interface Running {
  child: ChildProcess;
  /** Everything the container wrote so far, stdout and stderr apart. */
  output: { stdout: string; stderr: string };
  /** Kills the container and removes it and runc's state. */
  stop(): void;
}

/** Starts the bundle's process with runc and returns at once; stop() ends it. */
export function startInBundle(bundle: Bundle, options: RunOptions): Running {
  writeSpec(bundle, options);
  const state = mkdtempSync(join(tmpdir(), 'runc-state-'));
  const id = `nats-warden-image-${randomBytes(4).toString('hex')}`;
  const child = spawn('runc', ['--root', state, 'run', '--bundle', bundle.dir, id], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk) => (output.stdout += chunk));
  child.stderr.on('data', (chunk) => (output.stderr += chunk));
  return {
    child,
    output,
    stop() {
      run('runc', ['--root', state, 'kill', id, 'KILL']);
      run('runc', ['--root', state, 'delete', '--force', id]);
      rmSync(state, { recursive: true, force: true });
    },
  };
}
