// Process-tree helpers: a container is a process and whatever it started, so stopping it signals
// the main process first (SIGTERM, as a runtime does to PID 1) and later kills the whole tree.
import { readdirSync, readFileSync } from 'node:fs';

function parents(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // exited while we looked
    }
  }
  return children;
}

export function descendants(pid: number): number[] {
  const tree = parents();
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const p = queue.shift() as number;
    for (const child of tree.get(p) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone
  }
}

export function killTree(pid: number): void {
  for (const p of [pid, ...descendants(pid)]) signal(p, 'SIGKILL');
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
