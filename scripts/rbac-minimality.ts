// `node scripts/rbac-minimality.ts`: shows that no rule of the chart's RBAC is unused. For each rule
// of the rendered Roles and ClusterRole (namespaced mode), runs e2e/install.e2e.ts's Ready test with
// that rule removed (NATS_WARDEN_DROP_RULE) and prints whether it failed, which it must. Slow: one
// e2e run per rule (about 20), each failing run waits up to two minutes for Ready.
//   NATS_WARDEN_CLUSTER_DIR=$PWD/.cluster node scripts/rbac-minimality.ts [FIRST [LAST]]
import { spawnSync } from 'node:child_process';
import { loadAll } from 'js-yaml';
import { repoRoot } from '@nats-warden/local-cluster';
import { helmTemplate } from './gen-manifests.ts';

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}
const rendered = (
  loadAll(helmTemplate(['--namespace', 'ns', '--set', 'watchNamespaces={ns}'])) as {
    kind: string;
    rules?: Rule[];
  }[]
).filter((o) => o && (o.kind === 'Role' || o.kind === 'ClusterRole'));
const rules = rendered.flatMap((o) =>
  (o.rules ?? []).map(
    (r) =>
      `${o.kind}: ${r.resources.join(',')} ${r.verbs.join(',')}${r.resourceNames ? ` (${r.resourceNames.join(',')})` : ''}`,
  ),
);

const [first = 0, last = rules.length - 1] = process.argv.slice(2).map(Number);
const results: string[] = [];
for (let n = first; n <= last; n++) {
  const run = spawnSync(
    'npm',
    ['run', '-s', 'test:e2e', '--', 'e2e/install.e2e.ts', '-t', 'takes secure-cluster to Ready'],
    { cwd: repoRoot, env: { ...process.env, NATS_WARDEN_DROP_RULE: String(n) }, encoding: 'utf8' },
  );
  // Why it failed: the first refusal the run printed (the operator's log lines are in the failure).
  const refusal = /[^\n"]*(forbidden|HTTP-Code: 403)[^\n"]{0,80}/i
    .exec(`${run.stdout}${run.stderr}`)?.[0]
    ?.trim();
  const verdict =
    run.status === 0
      ? 'UNUSED (the test passed without it)'
      : `needed (the test failed${refusal ? `: ${refusal.slice(0, 120)}` : ''})`;
  results.push(`${String(n).padStart(2)} ${rules[n]!.padEnd(90)} ${verdict}`);
  process.stdout.write(`${results.at(-1)}\n`);
}
process.stdout.write(`\n${results.join('\n')}\n`);
