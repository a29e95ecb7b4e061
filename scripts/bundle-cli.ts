// `npm run build` (after tsc): bundles the CLI into dist/bundle, the files bin/nats-warden.js runs in a
// published package. One start used to load ~320 modules (247 of them @sinclair/typebox's).
//   - render.cjs: `render` alone, one CommonJS file, which bin/code-cache.js runs through a V8 code
//     cache (the command users run by hand, where start time is the whole cost);
//   - main.js and its chunks: every command as ES modules, each command in a chunk of its own.
// The operator's heavy dependencies stay external (installed with the package as usual): client-node
// and pino find files of their own at run time, and the operator's start time does not matter.
// esbuild is a pinned tool built from the Go module proxy like the others (local-cluster/tools).
//   node scripts/bundle-cli.ts [OUTDIR]      default dist/bundle
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, toolPath } from '@nats-warden/local-cluster';

export const EXTERNAL = ['@kubernetes/client-node', 'pino', 'prom-client'];

// esbuild turns a CommonJS dependency's require('crypto') into a call that ESM output cannot serve;
// a real require for each chunk makes those work.
const REQUIRE_SHIM =
  "import { createRequire as __natsWardenRequire } from 'node:module'; const require = __natsWardenRequire(import.meta.url);";

/** The file beside render.cjs that holds schema-check.ts and TypeBox. */
export const SCHEMA_CHECK_BUNDLE = 'schema-check.cjs';

const esbuildEntry = (entry: string, args: string[]) =>
  execFileSync(
    toolPath('esbuild'),
    [
      entry,
      '--bundle',
      '--platform=node',
      '--target=node24',
      '--log-level=warning',
      ...EXTERNAL.map((name) => `--external:${name}`),
      ...args,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] },
  );
const esbuild = (args: string[]) => esbuildEntry(join(repoRoot, 'src', 'cli', 'main.ts'), args);

/**
 * Escapes every non-ASCII character as \uXXXX, which means the same in string and regular expression
 * literals, identifiers and comments (in a template literal, only String.raw would see it). esbuild
 * leaves some in regular expressions (a `µs` duration unit), and one such character made the whole
 * 0.9 MB source a two-byte string decoded from UTF-8 on every start; bin/code-cache.js reads an ASCII
 * file as Latin-1, a plain copy. After a backslash the escape would mean something else: refused.
 */
export function toAscii(source: string): string {
  const escaped = /\\[^\0-\x7f]/.exec(source);
  if (escaped) throw new Error(`a backslash before a non-ASCII character at offset ${escaped.index}`);
  return source.replace(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Writes the bundle into outDir (emptied first); returns outDir. */
export function bundleCli(outDir = join(repoRoot, 'dist', 'bundle')): string {
  rmSync(outDir, { recursive: true, force: true });
  esbuild([
    '--format=esm',
    '--splitting',
    `--outdir=${outDir}`,
    '--chunk-names=[name]-[hash]',
    '--sourcemap',
    `--banner:js=${REQUIRE_SHIM}`,
  ]);
  // The other commands stay out (main.ts imports them only when asked for), and so does main.ts's
  // "run when started directly" check, which means nothing in CommonJS.
  // TypeBox stays out of render.cjs: schema-check.ts (the errors of an invalid document) is bundled
  // with it in a file of its own, which render.cjs requires only for such a document.
  esbuild([
    '--format=cjs',
    `--outfile=${join(outDir, 'render.cjs')}`,
    '--external:./operator-command.ts',
    '--external:./reloader-command.ts',
    '--define:import.meta.url=undefined',
    `--define:SCHEMA_CHECK_BUNDLE="./${SCHEMA_CHECK_BUNDLE}"`,
    `--external:./${SCHEMA_CHECK_BUNDLE}`,
  ]);
  esbuildEntry(join(repoRoot, 'src', 'api', 'schema-check.ts'), [
    '--format=cjs',
    `--outfile=${join(outDir, SCHEMA_CHECK_BUNDLE)}`,
  ]);
  const render = join(outDir, 'render.cjs');
  writeFileSync(render, toAscii(readFileSync(render, 'utf8')));
  return outDir;
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(`${bundleCli(process.argv[2])}\n`);
