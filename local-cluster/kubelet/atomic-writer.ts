// kubelet's AtomicWriter, for configMap, secret, projected and downwardAPI volumes: the files live
// in a timestamped directory, `..data` is a symlink to it, and each visible name is a symlink
// through `..data`. An update writes a new directory and renames a fresh `..data_tmp` link over
// `..data`, so a reader sees either the old set of files or the new one, never a mix.
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';

export interface Payload {
  [relativePath: string]: { data: Buffer; mode: number };
}

function current(dir: string): string | undefined {
  try {
    return readlinkSync(join(dir, '..data'));
  } catch {
    return undefined;
  }
}

function same(dir: string, payload: Payload): boolean {
  const target = current(dir);
  if (!target) return false;
  const base = join(dir, target);
  const names = (function walk(d: string, prefix: string): string[] {
    return readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(d, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
    );
  })(base, '');
  if (names.length !== Object.keys(payload).length) return false;
  return names.every((n) => payload[n] !== undefined && readFileSync(join(base, n)).equals(payload[n].data));
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function stamp(): string {
  const d = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `..${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}_${p(d.getUTCHours())}_${p(d.getUTCMinutes())}_${p(d.getUTCSeconds())}.${process.hrtime.bigint()}`;
}

/** Writes `payload` into `dir` atomically; returns true when something changed. */
export function writeAtomically(dir: string, payload: Payload): boolean {
  mkdirSync(dir, { recursive: true });
  if (same(dir, payload)) return false;
  const old = current(dir);
  const fresh = stamp();
  for (const [path, { data, mode }] of Object.entries(payload)) {
    const file = join(dir, fresh, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, data);
    chmodSync(file, mode);
  }
  mkdirSync(join(dir, fresh), { recursive: true });
  chmodSync(join(dir, fresh), 0o755);
  rmSync(join(dir, '..data_tmp'), { force: true });
  symlinkSync(fresh, join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  const visible = new Set(Object.keys(payload).map((p) => p.split('/')[0] ?? p));
  for (const name of visible) {
    if (!exists(join(dir, name))) symlinkSync(join('..data', name), join(dir, name));
  }
  for (const entry of readdirSync(dir)) {
    if (!entry.startsWith('..') && !visible.has(entry)) rmSync(join(dir, entry), { force: true });
  }
  if (old && old !== fresh) rmSync(join(dir, old), { recursive: true, force: true });
  return true;
}
