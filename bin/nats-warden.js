#!/usr/bin/env node
// The package's command. A published package runs the bundled CLI (dist/bundle, made by
// `npm run build`); a checkout without it runs the TypeScript source directly on Node 24, so the
// command works right after `npm ci`. Node's compile cache keeps a second start from re-compiling
// either (docs/cli.md says what a start costs and how it is measured).
import { existsSync } from 'node:fs';
import { enableCompileCache } from 'node:module';

enableCompileCache?.();
const bundled = new URL('../dist/bundle/main.js', import.meta.url);
const { main } = await import(existsSync(bundled) ? bundled.href : '../src/cli/main.ts');

process.exitCode = await main(process.argv.slice(2));
