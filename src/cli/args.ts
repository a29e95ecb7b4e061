// Command-line options through Node's own parseArgs, with its errors turned into InputError (exit 1
// with the message) rather than a stack trace.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from './documents.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseOptions<T extends Options>(argv: string[], options: T) {
  const config = { args: argv, options, strict: true as const, allowPositionals: false as const };
  type Values = ReturnType<typeof parseArgs<typeof config>>['values'];
  try {
    return (simpleStringOptions(argv, options) as Values | undefined) ?? parseArgs(config).values;
  } catch (error) {
    throw new InputError((error as Error).message);
  }
}

/**
 * What parseArgs returns for the usual command line, without it: parseArgs loads two internal
 * modules and compiles some twenty of their functions in every process, ~2% of a `render`'s start
 * (docs/cli.md). Only string options, each given as `--name value`, `--name=value` or `-x value`
 * with a value that does not start with `-`, a single-valued option at most once. Undefined for
 * anything else, which parseArgs then reads (or refuses with its own message); args.test.ts
 * compares the two.
 */
export function simpleStringOptions(argv: string[], options: Options): Record<string, unknown> | undefined {
  const values: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const equals = arg.indexOf('=');
    const name = arg.startsWith('--')
      ? arg.slice(2, equals < 0 ? undefined : equals)
      : Object.keys(options).find(
          (key) => options[key]?.short !== undefined && arg === `-${options[key].short}`,
        );
    const option = name !== undefined && Object.hasOwn(options, name) ? options[name] : undefined;
    if (!option || option.type !== 'string' || name === undefined) return undefined;
    const value = arg.startsWith('--') && equals >= 0 ? arg.slice(equals + 1) : argv[++i];
    if (!value || value.startsWith('-')) return undefined;
    const given = values[name];
    if (option.multiple) values[name] = [...((given as string[] | undefined) ?? []), value];
    else if (given === undefined) values[name] = value;
    else return undefined;
  }
  for (const [name, option] of Object.entries(options))
    if (option.default !== undefined && values[name] === undefined)
      values[name] = option.default as string | string[];
  return values;
}
