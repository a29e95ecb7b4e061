// `npm run -s rbac-minimality [-- FIRST [LAST]]`: shows that no rule of the chart's RBAC is unused.
// For each rule of the rendered Roles and ClusterRole (namespaced mode) it runs, with that rule
// removed (NATS_WARDEN_DROP_RULE, e2e/operator/chart-rbac.ts), the tests below that run the operator
// under the chart's ServiceAccount, in order, until one fails; a rule with which every one passes is
// UNUSED. Each verdict names the failing test and the operator's first refused request. One local
// cluster serves every run: a running one is reused (and left running), else one is started here
// and stopped at the end. Slow: a failing run waits up to two minutes (install) or three
// (certificate failures) for Ready; about 30 minutes for the 18 rules.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { down, isUp, paths, repoRoot, up } from '@nats-warden/local-cluster';
import { helmTemplate } from './gen-manifests.ts';

/** The tests that run the operator under the chart's RBAC, cheapest and broadest first. */
const TESTS = [
  { spec: 'e2e/install.e2e.ts', name: 'takes secure-cluster to Ready' },
  // The renewal request after a failed issuance (certificates/status): only this path uses it.
  { spec: 'e2e/certificate-failures.e2e.ts', name: 'a bootstrap CA whose issuance failed' },
];

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

/** A refusal in a few words: the verb and resource RBAC refused, or the admission plugin's reason. */
function refusalIn(text: string): string | undefined {
  const plain = text.replace(/\\+"/g, '"'); // quotes escaped once per level of JSON in the log
  const rbac = /cannot (\w+) resource "([^"]+)" in API group "([^"]*)"/.exec(plain);
  if (rbac) return `${rbac[1]} ${rbac[2]}${rbac[3] ? `.${rbac[3]}` : ''} refused`;
  const admission = /[\w.-]+ "[^"]+" is forbidden: cannot set[^,";\n]*/.exec(plain);
  if (admission) return admission[0].replace(/[:\s]+$/, '');
  return /[^\n"]*(?:forbidden|HTTP-Code: 403)[^\n"]{0,100}/i.exec(plain)?.[0]?.trim();
}

/** The first request the API server refused, from the operators' logs written since `since`. */
function firstLoggedRefusal(since: number): string | undefined {
  for (const f of readdirSync(paths.logs)) {
    const log = join(paths.logs, f);
    if (!f.startsWith('operator-') || statSync(log).mtimeMs < since) continue;
    const line = readFileSync(log, 'utf8')
      .split('\n')
      .find((l) => /forbidden|HTTP-Code: 403/i.test(l));
    if (line) return refusalIn(line);
  }
  return undefined;
}

/** Runs one test with rule `n` dropped; undefined when it passed, else why it failed. */
function failureWithout(n: number, test: (typeof TESTS)[number]): string | undefined {
  const since = Date.now();
  const run = spawnSync('npm', ['run', '-s', 'test:e2e', '--', test.spec, '-t', test.name], {
    cwd: repoRoot,
    env: { ...process.env, NATS_WARDEN_DROP_RULE: String(n) },
    encoding: 'utf8',
  });
  if (run.status === 0) return undefined;
  const output = `${run.stdout}${run.stderr}`;
  const gaveUp = /gave up waiting for [^:]+: (.*)/.exec(output)?.[1];
  const refusal = firstLoggedRefusal(since) ?? (gaveUp && refusalIn(gaveUp));
  if (refusal) return refusal;
  const headline = /● .*\n\s*\n\s*(.+)/.exec(output)?.[1]?.trim();
  return `no request refused; ${headline?.slice(0, 120) ?? `exit ${run.status}`}`;
}

const [first = 0, last = rules.length - 1] = process.argv.slice(2).map(Number);
const started = !isUp();
if (started) await up();
const results: string[] = [];
try {
  for (let n = first; n <= last; n++) {
    const t = Date.now();
    let verdict = `UNUSED (${TESTS.length} tests pass without it)`;
    for (const test of TESTS) {
      const why = failureWithout(n, test);
      if (why === undefined) continue;
      verdict = `needed: ${test.spec} fails (${why})`;
      break;
    }
    results.push(`${String(n).padStart(2)} ${rules[n]!.padEnd(75)} ${verdict}`);
    process.stdout.write(`${results.at(-1)} [${Math.round((Date.now() - t) / 1000)} s]\n`);
  }
} finally {
  if (started) await down();
}
process.stdout.write(`\n${results.join('\n')}\n`);
