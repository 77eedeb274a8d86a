// The `lookalike` command: the same engine as the app, driven in-process (or, for `serve`,
// in a child process behind the browser-mode server).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ContractError } from '../../src-shared/contract.js';
import { defaultLibraryDir } from '../common/library-paths.js';
import { commands, type Command } from './commands/index.js';
import { setCommandName } from './commands/command.js';
import { createOutput, UsageError } from './output.js';

const globalOptions = {
  library: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export function usage(): string {
  const width = Math.max(...Object.values(commands).map((c) => c.synopsis.length));
  const lines = Object.values(commands).map((c) => `  ${c.synopsis.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: lookalike <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options for every command:',
    '  --library DIR  the library folder (default: $LOOKALIKE_LIBRARY or the user-data folder)',
    '  --json         machine-readable output',
    '  -h, --help     this help',
  ].join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  if (name === '--version') {
    const { appVersion } = await import('../common/version.js');
    console.log(appVersion());
    return 0;
  }
  const command: Command | undefined = commands[name];
  if (!command) {
    console.error(`lookalike: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...globalOptions, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    console.error(`lookalike ${name}: ${(err as Error).message}\n\nUsage: lookalike ${command.synopsis}`);
    return 2;
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (values.help) {
    console.log(`Usage: lookalike ${command.synopsis}\n\n${command.summary}`);
    return 0;
  }
  const library = (values.library as string | undefined) ?? defaultLibraryDir();
  setCommandName(name);
  const out = createOutput(values.json === true);
  try {
    return (await command.run({ library, values, positionals: parsed.positionals, out })) ?? 0;
  } catch (err) {
    out.endProgress();
    if (err instanceof UsageError) {
      console.error(`lookalike ${name}: ${err.message}\n\nUsage: lookalike ${command.synopsis}`);
      return 2;
    }
    const message = err instanceof ContractError || err instanceof Error ? err.message : String(err);
    console.error(`lookalike ${name}: ${message}`);
    return 1;
  }
}
