// `npm run bench -- <name> [flags]`: one entry for every benchmark. accounts needs the local control
// plane, so it runs inside a network namespace of its own (netns.sh); the others are pure CPU.
import { spawnSync } from 'node:child_process';
import { delimiter, dirname, join } from 'node:path';
import { repoRoot } from '@nats-warden/local-cluster';

const BENCHES: Record<string, { script: string; netns?: boolean }> = {
  accounts: { script: 'scripts/bench/accounts.ts', netns: true },
  signing: { script: 'scripts/bench-signing.ts' },
  render: { script: 'scripts/bench-render.ts' },
  cli: { script: 'scripts/bench/cli.ts' },
};

const [name = '', ...args] = process.argv.slice(2);
const bench = BENCHES[name];
if (!bench) {
  process.stderr.write(`usage: npm run bench -- ${Object.keys(BENCHES).join('|')} [flags]\n`);
  process.exit(2);
}
const command = [process.execPath, join(repoRoot, bench.script), ...args];
if (bench.netns) command.unshift(join(repoRoot, 'local-cluster', 'harness', 'netns.sh'));
// netns.sh runs `node` by name: make it this one (v24), not whatever else is on the PATH.
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };
const run = spawnSync(command[0]!, command.slice(1), { stdio: 'inherit', cwd: repoRoot, env });
process.exit(run.status ?? 1);
