// The real node's sandbox ("pause") image: pause/main.go built with the local Go toolchain (standard
// library only, so it builds offline, even inside the cluster's network namespace) and packed with
// buildah into an OCI archive in the image cache, keyed by the source's hash. containerd's CRI
// plugin names it as its sandbox_image; it is imported with the project's images, never pulled.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildah } from '../tools/buildah.ts';
import { cacheRoot } from '../tools/tools.ts';

const source = join(dirname(fileURLToPath(import.meta.url)), 'pause', 'main.go');

export interface PauseImage {
  reference: string;
  tag: string;
  archive: string;
}

export function pauseImage(): PauseImage {
  const hash = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 12);
  const tag = `1-${hash}`;
  const imagesRoot = join(cacheRoot, 'images');
  const image = {
    reference: `localhost/nats-warden-pause:${tag}`,
    tag,
    archive: join(imagesRoot, `nats-warden-pause@${tag}.oci.tar`),
  };
  if (existsSync(image.archive)) return image;
  mkdirSync(imagesRoot, { recursive: true });
  const work = mkdtempSync(join(imagesRoot, 'tmp-pause-'));
  try {
    execFileSync('go', ['build', '-trimpath', '-ldflags', '-s -w', '-o', join(work, 'pause'), source], {
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '', GO111MODULE: 'off', GOTOOLCHAIN: 'local' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const b = buildah(imagesRoot);
    const container = b.run(['from', '--pull-never', 'scratch'], true).trim();
    try {
      b.run(['copy', '--chmod', '0755', container, join(work, 'pause'), '/pause']);
      b.run(['config', '--entrypoint', '["/pause"]', '--user', '65535:65535', container]);
      b.run(['commit', '--quiet', container, image.reference], true);
    } finally {
      b.run(['rm', container], true);
    }
    b.exportArchive(image.reference, image.archive, image.tag);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return image;
}
