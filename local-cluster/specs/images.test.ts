// The images the tool build exports (local-cluster/tools/images.ts), checked the way a node would
// see them: the operator image's config says a non-root user and the `nats-warden` entrypoint, and
// the unpacked image run by runc as that user with a read-only root filesystem prints its help,
// renders an example and loads the operator's code; the nats-server image is the binary alone and
// reports the pinned version; and the reloader of the one image reloads the nats-server of the
// other when a watched file changes. Prints the images' sizes as figures.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, chownSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../paths.ts';
import { imageArchive, toolSpecs } from '../tools/tools.ts';
import { imageConfig, layerFiles, runInBundle, startInBundle, unpack, type Bundle } from './oci.ts';

const NON_ROOT = 65532;
const mb = (bytes: number) => (bytes / 1e6).toFixed(1);

/** uid, gid and the error code of a write to each path, as JSON from Node inside the container. */
const probeScript = `
const fs = require('node:fs');
const writes = {};
for (const dir of ['/', '/app', '/tmp', '/usr/local/bin']) {
  try { fs.writeFileSync(dir.replace(/\\/?$/, '/probe'), 'x'); writes[dir] = 'written'; }
  catch (error) { writes[dir] = error.code; }
}
console.log(JSON.stringify({ uid: process.getuid(), gid: process.getgid(), writes }));
`;

/** Until `found()` holds, polling every 100 ms; fails with `what` after `ms`. */
async function waitFor(what: string, found: () => boolean, ms = 20_000): Promise<void> {
  for (const deadline = Date.now() + ms; !found();) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const unpacked: Partial<Record<'nats-warden' | 'nats-server', Bundle>> = {};
/** The image's bundle, unpacked on first use (umoci takes tens of seconds on two busy cores). */
function bundleOf(name: 'nats-warden' | 'nats-server'): Bundle {
  const image = imageArchive(name);
  if (unpacked[name]) return unpacked[name];
  const bundle = (unpacked[name] = unpack(image.archive, image.tag));
  process.stderr.write(
    `\nfigure: image ${image.reference}: ${mb(statSync(image.archive).size)} MB compressed archive, ` +
      `${mb(bundle.rootfsBytes)} MB unpacked\n`,
  );
  return bundle;
}
afterAll(() => {
  for (const bundle of Object.values(unpacked)) rmSync(dirname(bundle.dir), { recursive: true, force: true });
});

describe('the nats-warden image (operator and reloader)', () => {
  const image = imageArchive('nats-warden');
  const { config } = imageConfig(image.archive);
  let bundle: Bundle;
  beforeAll(() => void (bundle = bundleOf('nats-warden')), 300_000);

  it('runs as uid 65532, with `nats-warden` as its entrypoint and OCI labels', () => {
    expect(config.User).toBe(`${NON_ROOT}:${NON_ROOT}`);
    expect(config.Entrypoint).toEqual(['nats-warden']);
    expect(config.Cmd).toEqual(['operator']);
    expect(config.Labels).toMatchObject({
      'org.opencontainers.image.title': 'nats-warden',
      'org.opencontainers.image.version': image.tag.split('-')[0],
      'org.opencontainers.image.licenses': 'Apache-2.0',
    });
    // umoci carries the image's user into the runtime spec: what runc runs below is that user.
    expect(bundle.spec.process.user).toMatchObject({ uid: NON_ROOT, gid: NON_ROOT });
  });

  it('prints its help through the entrypoint, as uid 65532 on a read-only root', () => {
    const result = runInBundle(bundle, { args: [...config.Entrypoint!, '--help'], readOnlyRoot: true });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^usage: nats-warden <command>/);
    expect(result.stdout).toContain('reloader --pid-file FILE');
  });

  it('cannot write its root filesystem, and its user is 65532', () => {
    const result = runInBundle(bundle, { args: ['node', '-e', probeScript], readOnlyRoot: true });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      uid: NON_ROOT,
      gid: NON_ROOT,
      writes: { '/': 'EROFS', '/app': 'EROFS', '/tmp': 'EROFS', '/usr/local/bin': 'EROFS' },
    });
    // The same probe with a writable root: the files are root's, so uid 65532 is refused there too.
    const writable = runInBundle(bundle, { args: ['node', '-e', probeScript], readOnlyRoot: false });
    expect(JSON.parse(writable.stdout).writes['/app']).toBe('EACCES');
  });

  it('renders an example with its production dependencies alone, on a read-only root', () => {
    const result = runInBundle(bundle, {
      args: [...config.Entrypoint!, 'render', '-f', '/examples/minimal-tls.yaml'],
      readOnlyRoot: true,
      binds: { '/examples': join(repoRoot, 'examples') },
    });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('kind: StatefulSet');
  });

  it("loads the operator's code (the Kubernetes client included) and has no development packages", () => {
    const load = `await import('/app/dist/cli/operator-command.js'); await import('/app/dist/cli/reloader-command.js');
      const fs = await import('node:fs');
      console.log(JSON.stringify(['typescript', 'jest', 'eslint', '@swc/core', 'node'].filter((p) => fs.existsSync('/app/node_modules/' + p))));`;
    const result = runInBundle(bundle, {
      args: ['node', '--input-type=module', '-e', load],
      readOnlyRoot: true,
    });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual([]);
  });
});

describe('the nats-server image', () => {
  const image = imageArchive('nats-server');
  const { config } = imageConfig(image.archive);
  let bundle: Bundle;
  beforeAll(() => void (bundle = bundleOf('nats-server')), 300_000);

  it('is FROM scratch plus the binary: one layer holding /nats-server alone, run as uid 65532', () => {
    expect(layerFiles(image.archive, image.tag)).toEqual([['nats-server']]);
    expect(config.User).toBe(`${NON_ROOT}:${NON_ROOT}`);
    expect(config.Entrypoint).toEqual(['/nats-server']);
    // The rendered preStop hook calls `nats-server` by name.
    expect(config.Env).toContain('PATH=/');
  });

  it('reports the pinned version through its entrypoint, as uid 65532 on a read-only root', () => {
    const result = runInBundle(bundle, { args: [...config.Entrypoint!, '--version'], readOnlyRoot: true });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(`nats-server: ${toolSpecs['nats-server']!.version}`);
  });
});

describe('the two images as a nats-server pod uses them', () => {
  it("the reloader from the operator's image SIGHUPs the image's nats-server when a watched file changes", async () => {
    const warden = bundleOf('nats-warden');
    const server = bundleOf('nats-server');
    const entrypoint = imageConfig(imageArchive('nats-warden').archive).config.Entrypoint!;
    // The pod's volumes: the configuration (read-only, as a ConfigMap volume) and a writable pid
    // directory shared by both containers (one container here: shareProcessNamespace's effect).
    const conf = mkdtempSync(join(tmpdir(), 'reloader-conf-'));
    chmodSync(conf, 0o755);
    writeFileSync(join(conf, 'nats.conf'), 'port: 4222\nmax_payload: 1MB\n');
    const run = mkdtempSync(join(tmpdir(), 'reloader-run-'));
    chownSync(run, NON_ROOT, NON_ROOT);
    const running = startInBundle(warden, {
      args: [
        '/bin/sh',
        '-c',
        '/opt/nats/nats-server -c /conf/nats.conf -P /run/nats/nats.pid & ' +
          `exec ${entrypoint.join(' ')} reloader --pid-file /run/nats/nats.pid --watch /conf --interval 1`,
      ],
      readOnlyRoot: true,
      binds: {
        '/conf': conf,
        '/run/nats': { source: run, writable: true },
        '/opt/nats': join(server.dir, server.spec.root.path),
      },
    });
    try {
      await waitFor('nats-server ready', () => running.output.stderr.includes('Server is ready'));
      // The reloader's first look signals once whatever happened while it started (src/reloader):
      // the change below must come after it, to be a change the reloader noticed by itself.
      await waitFor('the reloader caught up', () =>
        running.output.stdout.includes('catching up with changes made while starting'),
      );
      const reloads = () => running.output.stderr.split('Reloaded server configuration').length - 1;
      await waitFor('the catch-up reload', () => reloads() >= 1);
      writeFileSync(join(conf, 'nats.conf'), 'port: 4222\nmax_payload: 2MB\n');
      await waitFor('the configuration reloaded again', () => reloads() >= 2);
      expect(running.output.stdout).toMatch(/mounted files changed; sent SIGHUP to nats-server \(pid \d+\)/);
    } finally {
      running.stop();
      rmSync(conf, { recursive: true, force: true });
      rmSync(run, { recursive: true, force: true });
    }
  }, 60_000);
});
