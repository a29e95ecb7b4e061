// `nats-warden reloader --pid-file FILE --watch DIR [--watch DIR...] [--interval SECONDS]`: parses
// the arguments and runs the in-pod reloader (src/reloader/reloader.ts).
import { runReloader, type ReloaderOptions } from '../reloader/reloader.ts';
import { parseOptions } from './args.ts';
import { InputError } from './documents.ts';

export function parseReloaderArgs(argv: string[]): ReloaderOptions {
  const v = parseOptions(argv, {
    'pid-file': { type: 'string' },
    watch: { type: 'string', multiple: true },
    interval: { type: 'string', default: '2' },
  });
  if (!v['pid-file'] || !v.watch?.length)
    throw new InputError('reloader needs --pid-file and at least one --watch');
  return { pidFile: v['pid-file'], watch: v.watch, intervalMs: Number(v.interval ?? 2) * 1000 };
}

export async function reloaderCommand(argv: string[], log?: (line: string) => void): Promise<number> {
  return runReloader(parseReloaderArgs(argv), log);
}
