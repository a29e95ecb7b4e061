// `npm run -s rbac-minimality [-- [--grants] [FIRST [LAST]]]`: shows that no rule of the chart's RBAC
// is unused. For each rule of the rendered Roles and ClusterRole (namespaced mode), or with --grants
// each verb on each resource of a rule, it runs with that rule or grant removed
// (NATS_WARDEN_DROP_RULE, e2e/operator/chart-rbac.ts) the tests below that run the operator under the
// chart's ServiceAccount, in order, until one fails; one with which every test passes is UNUSED.
// Each verdict names the failing test and the first request the API server refused the operator
// (the tests stop waiting at it). FIRST and LAST number rules. One local cluster serves every run: a
// running one is reused (and left running), else one is started here and stopped at the end. It took
// 13 min 27 s for the 19 rules and 18 min 5 s with --grants (docs/install.md).
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { down, isUp, paths, repoRoot, up } from '@nats-warden/local-cluster';
import { helmTemplate } from './gen-manifests.ts';

/** The tests that run the operator under the chart's RBAC, cheapest and broadest first. */
const TESTS = [
  // secure-cluster, then jwt-operator (JWT mode: the revocation finalizers on accounts and users'
  // Secrets, and a NatsUser with an older operator's finalizer released).
  { spec: 'e2e/install.e2e.ts', name: 'takes (secure-cluster|jwt-operator) to Ready' },
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
const rules = rendered.flatMap((o) => (o.rules ?? []).map((rule) => ({ kind: o.kind, rule })));
const named = (r: Rule) => (r.resourceNames ? ` (${r.resourceNames.join(',')})` : '');

/** What one run drops: a rule (N) or one verb on one resource of it (N:RESOURCE:VERB). */
interface Drop {
  spec: string;
  label: string;
}
const grants = process.argv.includes('--grants');
const [first = 0, last = rules.length - 1] = process.argv
  .slice(2)
  .filter((a) => a !== '--grants')
  .map(Number);
const drops: Drop[] = rules.slice(first, last + 1).flatMap(({ kind, rule }, i) => {
  const n = first + i;
  if (!grants)
    return [
      {
        spec: String(n),
        label: `${kind}: ${rule.resources.join(',')} ${rule.verbs.join(',')}${named(rule)}`,
      },
    ];
  return rule.resources.flatMap((resource) =>
    rule.verbs.map((verb) => ({
      spec: `${n}:${resource}:${verb}`,
      label: `${kind}: ${resource} ${verb}${named(rule)}`,
    })),
  );
});

/** A refusal in a few words: the verb and resource RBAC refused, or the admission plugin's reason. */
function refusalIn(text: string): string | undefined {
  const plain = text.replace(/\\+"/g, '"'); // quotes escaped once per level of JSON in the log
  const rbac = /cannot (\w+) resource "([^"]+)" in API group "([^"]*)"/.exec(plain);
  if (rbac) return `${rbac[1]} ${rbac[2]}${rbac[3] ? `.${rbac[3]}` : ''} refused`;
  const admission = /[\w.-]+ "[^"]+" is forbidden: cannot set[^,";\n]*/.exec(plain);
  if (admission) return admission[0].replace(/[:\s]+$/, '');
  // A watch refused: the client reports only the status text, the log names the informer's cache.
  const watch = /"cache":"([^"?]+)[^"]*","error":"Error: Forbidden"/.exec(plain);
  if (watch) return `watch ${watch[1]} refused`;
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

/** Runs one test without a rule or grant; undefined when it passed, else why it failed. */
function failureWithout(drop: Drop, test: (typeof TESTS)[number]): string | undefined {
  const since = Date.now();
  const run = spawnSync('npm', ['run', '-s', 'test:e2e', '--', test.spec, '-t', test.name], {
    cwd: repoRoot,
    env: { ...process.env, NATS_WARDEN_DROP_RULE: drop.spec },
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

const started = !isUp();
if (started) await up();
const results: string[] = [];
try {
  for (const drop of drops) {
    const t = Date.now();
    let verdict = `UNUSED (${TESTS.length} tests pass without it)`;
    for (const test of TESTS) {
      const why = failureWithout(drop, test);
      if (why === undefined) continue;
      verdict = `needed: ${test.spec} fails (${why})`;
      break;
    }
    results.push(`${drop.spec.padEnd(grants ? 32 : 3)} ${drop.label.padEnd(grants ? 50 : 75)} ${verdict}`);
    process.stdout.write(`${results.at(-1)} [${Math.round((Date.now() - t) / 1000)} s]\n`);
  }
} finally {
  if (started) await down();
}
process.stdout.write(`\n${results.join('\n')}\n`);
