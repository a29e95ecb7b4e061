// `npm run bench:render`: how long rendering takes, per example, with a fixed context (the pure
// renderer only: no secret generation, no I/O). Prints the median and p95 of many runs; a benchmark
// prints figures, it does not pass or fail.
import { performance } from 'node:perf_hooks';
import { membersOf, renderCluster } from '../src/render/index.ts';
import { exampleNames, loadExample } from '../test/fixtures/examples.ts';
import { fixedContext } from '../test/fixtures/render-context.ts';

const RUNS = Number(process.env.RUNS ?? 500);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

for (const name of exampleNames()) {
  const docs = loadExample(name);
  const jobs = docs.clusters.map((cluster) => {
    const members = membersOf(cluster, docs.accounts, docs.users);
    return { cluster, members, context: fixedContext(cluster, members.accounts, members.users) };
  });
  const render = () => jobs.reduce((n, j) => n + renderCluster(j.cluster, j.members, j.context).length, 0);
  const objects = render();
  for (let i = 0; i < 50; i++) render(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    render();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const users = docs.users.length;
  process.stdout.write(
    `${name.padEnd(22)} ${String(objects).padStart(3)} objects, ${users} users: median ${percentile(times, 50).toFixed(3)} ms, p95 ${percentile(times, 95).toFixed(3)} ms (${RUNS} runs)\n`,
  );
}
