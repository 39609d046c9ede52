import { TOOL_VERSION } from '../version.js';
import { helpText, parseArgs, UsageError } from './args.js';
import { ARGS_STDIN, readArgsFromStdin } from './args-stdin.js';
import type { Command } from './command.js';
import { CliError, EXIT, type Io } from './command.js';

/**
 * Commands load on demand: `review` never pays for execa or the tree-sitter runtime, which
 * keeps a cold start close to Node's own (bench/README.md).
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  validate: async () => (await import('./validate.js')).validateCommand,
  review: async () => (await import('./review.js')).reviewCommand,
  render: async () => (await import('./render.js')).renderCommand,
  verify: async () => (await import('./verify.js')).verifyCommand,
  check: async () => (await import('./check.js')).checkCommand,
  diagnose: async () => (await import('./diagnose.js')).diagnoseCommand,
  apply: async () => (await import('./apply.js')).applyCommand,
  undo: async () => (await import('./undo.js')).undoCommand,
  runs: async () => (await import('./runs.js')).runsCommand,
  'show-run': async () => (await import('./runs.js')).showRunCommand,
  schema: async () => (await import('./schema.js')).schemaCommand,
  init: async () => (await import('./init.js')).initCommand,
};

async function overview(): Promise<string> {
  const commands: Command[] = [];
  for (const load of Object.values(COMMANDS)) commands.push(await load());
  const width = Math.max(...commands.map((c) => c.spec.name.length));
  return [
    `rdsplan ${TOOL_VERSION}: RDS licensing maintenance as code`,
    '',
    'usage: rdsplan <command> [options]',
    '',
    ...commands.map((c) => `  ${c.spec.name.padEnd(width + 2)}${c.spec.summary.split('. ')[0]!.replace(/\.$/, '')}`),
    '',
    'rdsplan <command> --help shows a command\'s options. Exit codes: 0 ok, 1 failed, 2 invalid plan or usage, 3 changes pending, 4 refused, 5 the PowerShell on a target is not elevated.',
    '',
  ].join('\n');
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  if (argv[0] === ARGS_STDIN) {
    let fromStdin: string[];
    try {
      if (argv.length > 1) throw new UsageError(`${ARGS_STDIN} takes no other arguments; they all come from stdin`);
      fromStdin = await readArgsFromStdin(io);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      io.stderr.write(`rdsplan: ${error.message}\n`);
      return EXIT.usage;
    }
    // stdin is used up: the command cannot ask a question on it, so it runs as without a terminal.
    const { stdin: _consumed, ...rest } = io;
    return main(fromStdin, rest);
  }
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(await overview());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    io.stdout.write(`${TOOL_VERSION}\n`);
    return EXIT.ok;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  let command: Command | undefined;
  try {
    if (!load) throw new UsageError(`unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')}`);
    command = await load();
    const args = parseArgs(rest, command.spec);
    if (args.flags.help) {
      io.stdout.write(helpText(command.spec));
      return EXIT.ok;
    }
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`rdsplan: ${error.message}\n${command ? `usage: ${command.spec.usage}` : 'see rdsplan --help'}\n`);
      return EXIT.usage;
    }
    if (error instanceof CliError) {
      io.stderr.write(`rdsplan: ${error.message}\n`);
      return error.exitCode;
    }
    // A bug of ours: still one message; the stack only on request.
    io.stderr.write(`rdsplan: internal error: ${(error as Error).message}\n`);
    if (io.env.RDSPLAN_DEBUG) io.stderr.write(`${(error as Error).stack}\n`);
    return EXIT.failed;
  }
}
