// Command-line options through Node's own parseArgs, with its errors turned into InputError (exit 1
// with the message) rather than a stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from './documents.ts';

export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new InputError((error as Error).message);
  }
}
