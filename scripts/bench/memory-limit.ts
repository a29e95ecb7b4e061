// The operator under a memory limit, as the chart runs it (limits.memory 512Mi): a memory cgroup of
// its own, which the process joins before Node starts, so Node sizes V8's heap from the limit
// (process.constrainedMemory(); 512Mi gives a 256 MB old generation) and the kernel kills the
// process if it goes past the limit, as a kubelet's container would be killed.
// cgroup v1 (the memory hierarchy, as on these machines) or v2 (a unified hierarchy with the memory
// controller); needs root. Bench-only: the product never creates cgroups.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MemoryLimit {
  /** Put before the command: joins the cgroup, then execs the command (same pid). */
  launcher: string[];
  /** Times the kernel's OOM killer killed a process of the cgroup. */
  oomKills(): number;
  remove(): void;
}

const V1 = '/sys/fs/cgroup/memory';
const V2 = '/sys/fs/cgroup';

export function memoryLimit(name: string, limitMi: number): MemoryLimit {
  const bytes = String(limitMi * 1024 * 1024);
  const v1 = existsSync(join(V1, 'memory.limit_in_bytes'));
  const v2 = !v1 && readFileSync(join(V2, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('memory');
  if (!v1 && !v2)
    throw new Error('no memory cgroup controller: --memory-limit-mi needs cgroup v1 or v2 memory');
  const dir = join(v1 ? V1 : V2, name);
  mkdirSync(dir, { recursive: true });
  if (v1) {
    writeFileSync(join(dir, 'memory.limit_in_bytes'), bytes);
    // No swap to hide in: a container under a limit has none either.
    if (existsSync(join(dir, 'memory.memsw.limit_in_bytes')))
      writeFileSync(join(dir, 'memory.memsw.limit_in_bytes'), bytes);
  } else {
    writeFileSync(join(dir, 'memory.max'), bytes);
    if (existsSync(join(dir, 'memory.swap.max'))) writeFileSync(join(dir, 'memory.swap.max'), '0');
  }
  const procs = join(dir, 'cgroup.procs');
  return {
    launcher: ['/bin/sh', '-c', 'echo $$ > "$0" && exec "$@"', procs],
    oomKills() {
      const text = readFileSync(join(dir, v1 ? 'memory.oom_control' : 'memory.events'), 'utf8');
      return Number(/^oom_kill (\d+)$/m.exec(text)?.[1] ?? 0);
    },
    remove() {
      try {
        rmdirSync(dir);
      } catch {
        // still has a process (it is stopped after this) or already gone
      }
    },
  };
}
