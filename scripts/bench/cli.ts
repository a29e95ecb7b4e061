// `npm run bench -- cli`: what `nats-warden render` costs as a whole process, against a bare Node
// start measured in the same run (issue 13 asks for at most twice). Runs the command from a published
// package's layout (the bundle) and from a checkout's (the TypeScript source), interleaved with
// `node -e 0` so load from other work on the machine hits all alike; prints medians and the ratios.
// The compile and code caches start empty: the first run of each fills them and is reported on its
// own as "cold". With --cpu, as many runs again report CPU time (cpu-at-exit.cjs), which load from
// other work distorts far less than wall time. With --instructions (needs valgrind), three more runs
// of each under callgrind report user-space instructions (instructions.ts), which load does not move.
//   npm run bench -- cli [--runs N] [--file FILE] [--cpu] [--instructions]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '@nats-warden/local-cluster';
import { checkoutLayout, packageLayout } from '../../test/fixtures/cli-layouts.ts';
import { callgrindAvailable, instructions } from './instructions.ts';
import { loadAverage, percentile } from './measure.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    file: { type: 'string', default: join(repoRoot, 'examples', 'secure-cluster.yaml') },
    cpu: { type: 'boolean', default: false },
    instructions: { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const cache = mkdtempSync(join(tmpdir(), 'nats-warden-compile-cache-'));
const env = { ...process.env, NODE_COMPILE_CACHE: cache, NATS_WARDEN_CODE_CACHE: cache };

/** Wall time of one whole process, in ms; throws when it fails. */
function timed(args: string[]): number {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return ms;
}

const CPU_AT_EXIT = join(import.meta.dirname, 'cpu-at-exit.cjs');

/** CPU time of one whole process, in ms: [main thread, all threads]. */
function cpuTimes(args: string[]): [number, number] {
  const run = spawnSync(process.execPath, ['-r', CPU_AT_EXIT, ...args], {
    env,
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  const [main, all] = String(run.output[3]).trim().split(' ').map(Number);
  return [main!, all!];
}

const pkg = packageLayout();
const checkout = checkoutLayout();
try {
  const commands: Record<string, string[]> = {
    'node -e 0': ['-e', '0'],
    'render (package: bundle)': [pkg.bin, 'render', '-f', values.file],
    'render (checkout: source)': [checkout.bin, 'render', '-f', values.file],
  };
  const cold = Object.fromEntries(Object.entries(commands).map(([name, args]) => [name, timed(args)]));
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((n) => [n, []]));
  for (let i = 0; i < runs; i++)
    for (const [name, args] of Object.entries(commands)) samples[name]!.push(timed(args));

  const bare = percentile(samples['node -e 0']!, 50);
  process.stdout.write(`node ${process.version}, load average ${loadAverage()}, median of ${runs}\n`);
  for (const name of Object.keys(commands)) {
    const median = percentile(samples[name]!, 50);
    process.stdout.write(
      `${name.padEnd(26)} ${median.toFixed(0).padStart(5)} ms  ${(median / bare).toFixed(2)}x node -e 0` +
        `  (cold ${cold[name]!.toFixed(0)} ms)\n`,
    );
  }
  if (values.cpu) {
    const cpu: Record<string, [number, number][]> = Object.fromEntries(
      Object.keys(commands).map((n) => [n, []]),
    );
    for (let i = 0; i < runs; i++)
      for (const [name, args] of Object.entries(commands)) cpu[name]!.push(cpuTimes(args));
    const medianOf = (name: string, which: 0 | 1) =>
      percentile(
        cpu[name]!.map((t) => t[which]),
        50,
      );
    process.stdout.write(
      `CPU time, median of ${runs}, load average ${loadAverage()}: main thread | whole process\n`,
    );
    for (const name of Object.keys(commands)) {
      const [main, all] = [medianOf(name, 0), medianOf(name, 1)];
      process.stdout.write(
        `${name.padEnd(26)} ${main.toFixed(0).padStart(5)} ms  ${(main / medianOf('node -e 0', 0)).toFixed(2)}x` +
          `  | ${all.toFixed(0).padStart(5)} ms  ${(all / medianOf('node -e 0', 1)).toFixed(2)}x\n`,
      );
    }
  }
  if (values.instructions) {
    if (!callgrindAvailable()) throw new Error('--instructions needs valgrind on the PATH');
    // Medians of three: what is left to chance (keys, when V8's helper threads run) moves a run by ~2%.
    const INSTRUCTION_RUNS = 3;
    const counts = Object.fromEntries(
      Object.entries(commands).map(([name, args]) => [
        name,
        Array.from({ length: INSTRUCTION_RUNS }, () => instructions(args, env)),
      ]),
    );
    const medianOf = (name: string, which: 0 | 1) =>
      percentile(
        counts[name]!.map((c) => c[which]),
        50,
      );
    process.stdout.write(
      `user-space instructions (callgrind), median of ${INSTRUCTION_RUNS}, without V8's hash-seed search: ` +
        `main thread | whole process\n`,
    );
    for (const name of Object.keys(commands)) {
      const [main, all] = [medianOf(name, 0), medianOf(name, 1)];
      process.stdout.write(
        `${name.padEnd(26)} ${main.toFixed(0).padStart(5)} M  ${(main / medianOf('node -e 0', 0)).toFixed(2)}x` +
          `  | ${all.toFixed(0).padStart(5)} M  ${(all / medianOf('node -e 0', 1)).toFixed(2)}x\n`,
      );
    }
  }
} finally {
  pkg.remove();
  checkout.remove();
  rmSync(cache, { recursive: true, force: true });
}
