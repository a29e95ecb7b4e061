// Pod addresses: one loopback address per pod, 127.1.x.y (all of 127.0.0.0/8 reaches `lo`, so no
// interface set-up is needed). The address is keyed by namespace/name and remembered on disk, so a
// StatefulSet pod recreated under the same name gets the same address, as its DNS name promises.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class Ipam {
  private readonly file: string;
  private readonly byKey: Record<string, string>;

  constructor(dir: string) {
    this.file = join(dir, 'ipam.json');
    this.byKey = existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, string>) : {};
  }

  addressFor(namespace: string, name: string): string {
    const key = `${namespace}/${name}`;
    const known = this.byKey[key];
    if (known) return known;
    const used = new Set(Object.values(this.byKey));
    for (let n = 1; n < 254 * 254; n++) {
      const address = `127.1.${Math.floor(n / 254)}.${(n % 254) + 1}`;
      if (!used.has(address)) {
        this.byKey[key] = address;
        writeFileSync(this.file, JSON.stringify(this.byKey, null, 1));
        return address;
      }
    }
    throw new Error('pod address range exhausted');
  }
}
