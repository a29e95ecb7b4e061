// The sandbox the server tests, `npm run nats` and the Go CLI client run host processes in: volumes at
// their mount paths, read-only where asked, and no mount point ever made on the host.
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { sandboxSpawn } from '../harness/sandbox.ts';

async function run(script: string, mounts: Parameters<typeof sandboxSpawn>[0]['mounts'], cwd = '/') {
  const child = sandboxSpawn(
    { argv: ['/bin/sh', '-c', script], env: { PATH: '/usr/bin:/bin' }, mounts, cwd },
    ['ignore', 'pipe', 'pipe'],
  );
  let output = '';
  child.stdout?.on('data', (b) => (output += b));
  child.stderr?.on('data', (b) => (output += b));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, output };
}

describe('sandbox', () => {
  const id = randomBytes(4).toString('hex');
  const volumes = mkdtempSync(join(tmpdir(), 'sandbox-volumes-'));
  const config = join(volumes, 'config');
  const data = join(volumes, 'data');
  const hosts = join(volumes, 'hosts');
  mkdirSync(config);
  mkdirSync(data);
  writeFileSync(join(config, 'nats.conf'), 'port: 4222\n');
  writeFileSync(hosts, '10.244.9.9 sandboxed\n');

  // A top-level, a nested and a through-a-symlink (/var/run -> /run) mount point, none on the host.
  const topLevel = `/nw-sandbox-${id}`;
  const nested = `/etc/nw-sandbox-${id}/config`;
  const viaSymlink = `/var/run/nw-sandbox-${id}`;

  it('mounts every volume where the container expects it and leaves the host untouched', async () => {
    const hostHosts = readFileSync('/etc/hosts', 'utf8');
    const { code, output } = await run(
      [
        `cat ${nested}/nats.conf /etc/hosts`,
        `echo written > ${topLevel}/file`,
        `echo pid > ${viaSymlink}/pid`,
        `touch ${nested}/x 2>/dev/null && echo WRITABLE || echo read-only`,
        'pwd',
      ].join('; '),
      [
        { source: hosts, target: '/etc/hosts', readOnly: true },
        { source: config, target: nested, readOnly: true },
        { source: data, target: topLevel, readOnly: false },
        { source: data, target: viaSymlink, readOnly: false },
      ],
      '/etc',
    );
    expect(output).toBe('port: 4222\n10.244.9.9 sandboxed\nread-only\n/etc\n');
    expect(code).toBe(0);
    expect(readFileSync(join(data, 'file'), 'utf8')).toBe('written\n');
    expect(readFileSync(join(data, 'pid'), 'utf8')).toBe('pid\n');
    for (const path of [topLevel, `/etc/nw-sandbox-${id}`, `/run/nw-sandbox-${id}`])
      expect(existsSync(path)).toBe(false);
    expect(readFileSync('/etc/hosts', 'utf8')).toBe(hostHosts);
  });

  it('sees every source even when an earlier volume hides the directory that holds it', async () => {
    // The second volume's source lives inside the directory that the first volume is mounted over.
    const inner = join(volumes, 'data', 'inner');
    mkdirSync(inner);
    writeFileSync(join(inner, 'marker'), 'inner\n');
    const { code, output } = await run(`cat /inner/marker; ls ${volumes}`, [
      { source: config, target: volumes, readOnly: true },
      { source: inner, target: '/inner', readOnly: true },
    ]);
    expect(output).toBe('inner\nnats.conf\n');
    expect(code).toBe(0);
  });

  it('passes the container its own PATH and exit status', async () => {
    const { code, output } = await run('echo $PATH; exit 7', []);
    expect(output).toBe('/usr/bin:/bin\n');
    expect(code).toBe(7);
  });
});
