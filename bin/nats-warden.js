#!/usr/bin/env node
// The package's command. Runs the compiled CLI (npm run build); in a checkout, `npm run nats-warden -- …`
// runs the TypeScript source directly on Node 24.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
