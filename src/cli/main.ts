import { TOOL_VERSION } from '../version.js';
import { helpText, parseArgs, UsageError } from './args.js';
import { CliError, EXIT, type Command, type Io } from './command.js';
import { applyCommand } from './apply.js';
import { checkCommand } from './check.js';
import { initCommand } from './init.js';
import { renderCommand } from './render.js';
import { reviewCommand } from './review.js';
import { runsCommand, showRunCommand } from './runs.js';
import { schemaCommand } from './schema.js';
import { undoCommand } from './undo.js';
import { validateCommand } from './validate.js';
import { verifyCommand } from './verify.js';

const COMMANDS: Command[] = [validateCommand, reviewCommand, renderCommand, verifyCommand, checkCommand, applyCommand, undoCommand, runsCommand, showRunCommand, schemaCommand, initCommand];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.spec.name.length));
  return [
    `rdsplan ${TOOL_VERSION}: RDS licensing maintenance as code`,
    '',
    'usage: rdsplan <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.spec.name.padEnd(width + 2)}${c.spec.summary.split('. ')[0]!.replace(/\.$/, '')}`),
    '',
    'rdsplan <command> --help shows a command\'s options. Exit codes: 0 ok, 1 failed, 2 invalid plan or usage, 3 changes pending, 4 refused.',
    '',
  ].join('\n');
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(overview());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    io.stdout.write(`${TOOL_VERSION}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.spec.name === name);
  try {
    if (!command) throw new UsageError(`unknown command "${name}"; commands: ${COMMANDS.map((c) => c.spec.name).join(', ')}`);
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
