// Where a CPU profile's time went: `node scripts/bench/profile-summary.ts FILE.cpuprofile [TOP]`.
// Self time by function and by package (or file of ours), and inclusive time by function (a
// function's own samples and those of everything it called, counted once per sample even when
// it recurses). For the profiles `npm run bench -- accounts --cpu-prof-dir DIR` writes.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: profile-summary.ts FILE.cpuprofile [TOP]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const msPerSample = (profile.endTime - profile.startTime) / 1000 / Math.max(profile.samples.length, 1);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);

/** "node_modules/<pkg>" for a dependency, the path under src/ for ours, the URL otherwise. */
const placeOf = (url: string) => {
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dep) return dep[1]!;
  const ours = /\/(src|local-cluster|scripts)\/(.*)$/.exec(url);
  if (ours) return `${ours[1]}/${ours[2]}`;
  return url || '(native)';
};
const nameOf = (n: ProfileNode) =>
  `${n.callFrame.functionName || '(anonymous)'} ${placeOf(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;

const self = new Map<string, number>();
const selfByPlace = new Map<string, number>();
const inclusive = new Map<string, number>();
const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
for (const id of profile.samples) {
  const leaf = byId.get(id);
  if (!leaf) continue;
  add(self, nameOf(leaf), msPerSample);
  add(selfByPlace, placeOf(leaf.callFrame.url), msPerSample);
  const seen = new Set<string>();
  for (let n: ProfileNode | undefined = leaf; n; n = byId.get(parentOf.get(n.id) ?? -1)) {
    const name = nameOf(n);
    if (!seen.has(name)) add(inclusive, name, msPerSample);
    seen.add(name);
  }
}

const total = profile.samples.length * msPerSample;
const print = (title: string, m: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, ms] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top))
    process.stdout.write(
      `${(ms / 1000).toFixed(2).padStart(8)} s ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${k}\n`,
    );
};
process.stdout.write(`${(total / 1000).toFixed(1)} s sampled, ${profile.samples.length} samples\n`);
print('self time by package or file', selfByPlace);
print('self time by function', self);
print('inclusive time by function', inclusive);
