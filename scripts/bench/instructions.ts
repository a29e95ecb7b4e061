// User-space instructions of one whole process under valgrind's callgrind: the one measure of a start
// that load from other work on the machine does not move (wall time and, less, CPU time do). Used by
// `npm run bench -- cli --instructions`. Two corrections keep runs comparable:
//   - V8 searches for a prime from a random hash seed at every start (detail::sprp): 0 to ~15 M
//     instructions by luck alone, so that function's cost is left out;
//   - threads are counted apart (--separate-threads): the main thread's, and all threads' together.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const callgrindAvailable = () => spawnSync('valgrind', ['--version']).status === 0;

/** Instructions of `node ARGS`, in millions: [main thread, all threads], without the hash-seed search. */
export function instructions(args: string[], env: NodeJS.ProcessEnv): [number, number] {
  const dir = mkdtempSync(join(tmpdir(), 'nats-warden-callgrind-'));
  try {
    const out = join(dir, 'callgrind.out');
    const run = spawnSync(
      'valgrind',
      [
        '--tool=callgrind',
        '--separate-threads=yes',
        `--callgrind-out-file=${out}`,
        process.execPath,
        ...args,
      ],
      { env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    if (run.status !== 0)
      throw new Error(`valgrind node ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
    const files = readdirSync(dir)
      .filter((f) => /-\d+$/.test(f))
      .sort();
    const summary = (file: string) =>
      Number(/^summary: (\d+)/m.exec(readFileSync(join(dir, file), 'utf8'))?.[1]);
    const main = files.find((f) => f.endsWith('-01'));
    if (!main) throw new Error(`callgrind wrote no main-thread file: ${files.join(', ')}`);
    const seedSearch = exclusiveCost(join(dir, main), 'detail::sprp');
    const all = files.reduce((sum, f) => sum + summary(f), 0);
    return [(summary(main) - seedSearch) / 1e6, (all - seedSearch) / 1e6];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A function's own instructions in a callgrind file, through callgrind_annotate (0 when absent). */
function exclusiveCost(file: string, name: string): number {
  const annotated = spawnSync('callgrind_annotate', ['--threshold=100', file], { encoding: 'utf8' }).stdout;
  const line = annotated.split('\n').find((l) => l.includes(`:${name}(`));
  return line ? Number(line.trim().split(/\s/)[0]!.replaceAll(',', '')) : 0;
}
