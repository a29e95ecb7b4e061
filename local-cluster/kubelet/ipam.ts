// Pod addresses: one address per pod from 10.244.0.0/16, made local by a single `local` route on the
// loopback interface (as 127.0.0.0/8 is), so pods can bind them and reach each other on this
// machine. They are not interface addresses — nats-server, for one, skips route URLs that resolve to
// its own interface addresses — and, unlike 127.x, Kubernetes accepts them in EndpointSlices and
// proxies to them. An address is keyed by namespace/name and remembered on disk, so a StatefulSet pod
// recreated under the same name gets the same address, as its DNS name promises.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const podCidr = '10.244.0.0/16';

function ipRoute(action: 'replace' | 'del'): void {
  try {
    execFileSync('ip', ['route', action, 'local', podCidr, 'dev', 'lo'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (error) {
    if (action === 'replace') throw error;
  }
}

/** Makes the pod range local (idempotent). */
export function routePodAddresses(): void {
  ipRoute('replace');
}

/** Removes the route unless another process kubelet in this network namespace still runs. */
export function releasePodAddresses(): void {
  const netns = (pid: string | number) => {
    try {
      return readlinkSync(`/proc/${pid}/ns/net`);
    } catch {
      return undefined;
    }
  };
  const ours = netns('self');
  const others = readdirSync('/proc').filter((p) => {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) return false;
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('/kubelet/main.ts') && netns(p) === ours;
    } catch {
      return false;
    }
  });
  if (others.length === 0) ipRoute('del');
}

export class Ipam {
  private readonly file: string;
  private readonly byKey: Record<string, string>;
  private readonly start: number;

  constructor(dir: string) {
    this.file = join(dir, 'ipam.json');
    this.byKey = existsSync(this.file)
      ? (JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, string>)
      : {};
    // Clusters in different directories start in different blocks, so two of them rarely collide.
    this.start = (createHash('sha256').update(dir).digest().readUInt16BE(0) % 200) * 254;
  }

  addressFor(namespace: string, name: string): string {
    const key = `${namespace}/${name}`;
    const known = this.byKey[key];
    if (known) return known;
    const used = new Set(Object.values(this.byKey));
    for (let i = 1; i < 254 * 254; i++) {
      const n = (this.start + i) % (254 * 254);
      const address = `10.244.${Math.floor(n / 254)}.${(n % 254) + 1}`;
      if (!used.has(address)) {
        this.byKey[key] = address;
        writeFileSync(this.file, JSON.stringify(this.byKey, null, 1));
        return address;
      }
    }
    throw new Error('pod address range exhausted');
  }
}
