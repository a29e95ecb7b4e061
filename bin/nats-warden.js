#!/usr/bin/env node
// The package's command. A published package runs the bundled CLI (dist/bundle, made by
// `npm run build`): `render` from one CommonJS file through a code cache of its own (code-cache.js),
// every other command from the ES module bundle (or tsc's dist/cli, which is what the container image
// holds). A checkout without dist/ runs the TypeScript source
// directly on Node 24, so the command works right after `npm ci`. CommonJS (bin/package.json) and
// no module loaded before it is needed: docs/cli.md says what a start costs (`npm run bench -- cli`).
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const bundle = join(__dirname, '..', 'dist', 'bundle');

async function run(argv) {
  if (argv[0] === 'render' && existsSync(join(bundle, 'render.cjs'))) {
    const render = require('./code-cache.js').loadWithCodeCache(join(bundle, 'render.cjs'));
    const code = await render.exports.main(argv);
    render.save();
    return code;
  }
  require('node:module').enableCompileCache?.();
  // The bundle; else the compiled modules (tsc alone, as the container image builds them); else
  // the TypeScript source of a checkout.
  const compiled = [join(bundle, 'main.js'), join(__dirname, '..', 'dist', 'cli', 'main.js')].find((f) =>
    existsSync(f),
  );
  const { main } = await import(
    compiled ? require('node:url').pathToFileURL(compiled).href : '../src/cli/main.ts'
  );
  return main(argv);
}

run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
