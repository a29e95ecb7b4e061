// Small measuring tools the benchmarks share: percentiles of a sample, the machine's load, a
// process's peak memory, and the API server's own count of write requests (its /metrics), so a
// benchmark reports what reached the API server rather than what the operator says it did.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { k } from '@nats-warden/local-cluster';

export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** "p50 12 ms, p95 40 ms, max 51 ms (n=100)" */
export const summary = (samples: number[]) =>
  `p50 ${percentile(samples, 50).toFixed(0)} ms, p95 ${percentile(samples, 95).toFixed(0)} ms, max ${Math.max(...samples).toFixed(0)} ms (n=${samples.length})`;

export const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** A /proc/<pid>/status field in MB (VmRSS now, VmHWM the peak so far). */
export function memoryMb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    );
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined; // the process is gone
  }
}

const WRITE_VERBS = new Set(['POST', 'PUT', 'PATCH', 'APPLY', 'DELETE', 'DELETECOLLECTION']);

/** Write requests the API server has served so far, by "VERB resource[/subresource]". */
export const apiServerWrites = () => apiServerRequests(WRITE_VERBS);

/** Requests (of the verbs given, else all but WATCH) the API server has served so far, by "VERB resource[/subresource]". */
export async function apiServerRequests(verbs?: Set<string>): Promise<Map<string, number>> {
  const text = await k(['get', '--raw', '/metrics'], undefined, 30_000);
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels = Object.fromEntries(
      [...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]] as [string, string]),
    );
    if (verbs ? !verbs.has(labels.verb ?? '') : labels.verb === 'WATCH') continue;
    const key = `${labels.verb} ${labels.resource}${labels.subresource ? `/${labels.subresource}` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return counts;
}

/** after - before, the keys that grew. */
export function grown(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const delta = new Map<string, number>();
  for (const [key, n] of after) if (n > (before.get(key) ?? 0)) delta.set(key, n - (before.get(key) ?? 0));
  return delta;
}

/** One counter's value (summed over its labels) from a Prometheus text page. */
export function counterValue(text: string, name: string, labelFilter = ''): number {
  return text
    .split('\n')
    .filter((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && l.includes(labelFilter))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** Runs `work` over `items`, at most `parallel` at a time. */
export async function inParallel<T>(items: T[], parallel: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
}
