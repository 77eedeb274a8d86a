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

/** Help fits an 80-column terminal: each command's synopsis, then its summary indented below. */
export const HELP_WIDTH = 80;

export function usage(): string {
  const lines = Object.values(commands).flatMap((c) => [...wrap(c.synopsis, '  ', '      '), ...wrap(c.summary, '      ', '      ')]);
  return [
    'Usage: lookalike <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options for every command:',
    ...wrap('--library DIR  the library folder (default: $LOOKALIKE_LIBRARY or the user-data folder)', '  ', '                 '),
    '  --json         machine-readable output',
    '  -h, --help     this help',
  ].join('\n');
}

/** "Usage: lookalike <synopsis>", wrapped to HELP_WIDTH like the rest of the help. */
export function commandUsage(command: Command): string {
  return wrap(`Usage: lookalike ${command.synopsis}`, '', '    ').join('\n');
}

/** Breaks text at spaces so no line is wider than HELP_WIDTH. */
export function wrap(text: string, first: string, rest: string): string[] {
  const out: string[] = [];
  let line = first;
  for (const word of text.split(' ')) {
    const fresh = line === first || line === rest;
    if (!fresh && line.length + 1 + word.length > HELP_WIDTH) {
      out.push(line);
      line = rest + word;
    } else line += (fresh ? '' : ' ') + word;
  }
  out.push(line);
  return out;
}

/**
 * Splits the options for every command that come before the command's name (as in git:
 * `lookalike --library DIR import ...`) from the command and what follows it.
 */
export function splitLeadingOptions(argv: string[]): { before: string[]; name: string | undefined; rest: string[] } {
  const before: string[] = [];
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i];
    if (arg === '--library') {
      before.push(arg, ...argv.slice(i + 1, i + 2));
      i += 2;
    } else if (arg.startsWith('--library=') || arg === '--json') {
      before.push(arg);
      i += 1;
    } else break;
  }
  return { before, name: argv[i], rest: argv.slice(i + 1) };
}

export async function run(argv: string[]): Promise<number> {
  const { before, name, rest: after } = splitLeadingOptions(argv);
  const rest = [...before, ...after];
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
    // Node's words for an unknown option run to 160 columns about positionals and '--': the first sentence says it.
    const message = (err as Error).message.replace(/^(Unknown option '[^']*')\..*$/s, '$1').replace(/^Unknown/, 'unknown');
    console.error(`lookalike ${name}: ${message}\n\n${commandUsage(command)}`);
    return 2;
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (values.help) {
    console.log([commandUsage(command), '', ...wrap(command.summary, '', '')].join('\n'));
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
      console.error(`lookalike ${name}: ${err.message}\n\n${commandUsage(command)}`);
      return 2;
    }
    const message = err instanceof ContractError ? userMessage(err) : err instanceof Error ? err.message : String(err);
    console.error(`lookalike ${name}: ${message}`);
    return 1;
  }
}

/**
 * A refused request in the user's words: the engine's "markPair: invalid request: b: a pair needs
 * two different images" names a call and a field the user never typed.
 */
export function userMessage(err: ContractError): string {
  const prefix = /^\w+: invalid request: /;
  if (err.code !== 'bad-request' || !prefix.test(err.message)) return err.message;
  return err.message
    .replace(prefix, '')
    .split('; ')
    .map((part) => part.replace(/^[\w.()]+: /, ''))
    .join('; ');
}
