// Background processes of the local control plane. Each runs detached in its own process group
// (so stopping the group also stops what it started, e.g. the kubelet's pod processes), logs to
// .cluster/logs/<name>.log, and is recorded in .cluster/state.json so a later `cluster down`
// (another Node process) can find and stop it.
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  writeFileSync,
  closeSync,
} from 'node:fs';
import { paths } from '../paths.ts';

export interface Started {
  name: string;
  pid: number;
  command: string[];
  log: string;
}

export interface ClusterState {
  startedAt: string;
  server: string;
  ports: Record<string, number>;
  processes: Started[];
}

export function readState(): ClusterState | undefined {
  if (!existsSync(paths.state)) return undefined;
  return JSON.parse(readFileSync(paths.state, 'utf8')) as ClusterState;
}

export function writeState(state: ClusterState): void {
  writeFileSync(paths.state, JSON.stringify(state, null, 2) + '\n');
}

/** State and process group from /proc/<pid>/stat (undefined when gone). */
function stat(pid: number | string): { state: string; pgrp: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

/** Running (a zombie waiting for its reaper counts as gone). */
export function isAlive(pid: number): boolean {
  const s = stat(pid);
  return s !== undefined && s.state !== 'Z';
}

export function startProcess(name: string, command: string[], env: NodeJS.ProcessEnv = {}): Started {
  mkdirSync(paths.logs, { recursive: true });
  const log = paths.log(name);
  const fd = openSync(log, 'a');
  const [file, ...args] = command;
  if (!file) throw new Error(`empty command for ${name}`);
  const child = spawn(file, args, {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, ...env },
    cwd: paths.root,
  });
  closeSync(fd);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${name} (${file})`);
  return { name, pid: child.pid, command, log };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

function groupAlive(pid: number): boolean {
  if (isAlive(pid)) return true;
  return readdirSync('/proc').some((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    const s = stat(entry);
    return s !== undefined && s.pgrp === pid && s.state !== 'Z';
  });
}

/** SIGTERM to the process group, SIGKILL after `graceMs`; resolves when the group is gone. */
export async function stopProcess(p: Started, graceMs = 10_000): Promise<void> {
  if (!groupAlive(p.pid)) return;
  signalGroup(p.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(p.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (groupAlive(p.pid)) signalGroup(p.pid, 'SIGKILL');
  const hard = Date.now() + 5_000;
  while (groupAlive(p.pid) && Date.now() < hard) await new Promise((r) => setTimeout(r, 50));
}

/** The last lines of a component's log, for error messages. */
export function logTail(name: string, lines = 30): string {
  const log = paths.log(name);
  if (!existsSync(log)) return '(no log)';
  return readFileSync(log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Starts a process that belongs with the cluster (the operator): recorded in the state, so
 * `cluster down` stops it along with the control plane. */
export function startWithCluster(name: string, command: string[], env: NodeJS.ProcessEnv = {}): Started {
  const started = startProcess(name, command, env);
  const state = readState();
  if (state) writeState({ ...state, processes: [...state.processes, started] });
  return started;
}

/** Stops a process started by startWithCluster (at once when graceMs is 0) and forgets it. */
export async function stopWithCluster(p: Started, graceMs = 10_000): Promise<void> {
  await stopProcess(p, graceMs);
  const state = readState();
  if (state) writeState({ ...state, processes: state.processes.filter((q) => q.pid !== p.pid) });
}
