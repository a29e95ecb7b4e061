// `npm run build` (after tsc): bundles the CLI into dist/bundle, the files bin/nats-warden.js runs in a
// published package. One start used to load ~320 modules (247 of them @sinclair/typebox's); bundled,
// `render` loads three files. Commands split into chunks of their own, so `render` never parses the
// operator. The operator's heavy dependencies stay external (installed with the package as usual):
// client-node and pino find files of their own at run time, and the operator's start time does not
// matter. esbuild is a pinned tool built from the Go module proxy like the others (local-cluster/tools).
//   node scripts/bundle-cli.ts [OUTDIR]      default dist/bundle
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, toolPath } from '@nats-warden/local-cluster';

export const EXTERNAL = ['@kubernetes/client-node', 'pino', 'prom-client'];

// esbuild turns a CommonJS dependency's require('crypto') into a call that ESM output cannot serve;
// a real require for each chunk makes those work.
const REQUIRE_SHIM =
  "import { createRequire as __natsWardenRequire } from 'node:module'; const require = __natsWardenRequire(import.meta.url);";

/** Writes the bundle into outDir (emptied first); returns outDir. */
export function bundleCli(outDir = join(repoRoot, 'dist', 'bundle')): string {
  rmSync(outDir, { recursive: true, force: true });
  execFileSync(
    toolPath('esbuild'),
    [
      join(repoRoot, 'src', 'cli', 'main.ts'),
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--target=node24',
      '--splitting',
      `--outdir=${outDir}`,
      '--chunk-names=[name]-[hash]',
      '--sourcemap',
      '--log-level=warning',
      `--banner:js=${REQUIRE_SHIM}`,
      ...EXTERNAL.map((name) => `--external:${name}`),
    ],
    { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  return outDir;
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(`${bundleCli(process.argv[2])}\n`);
