import { UsageError } from './args.js';
import type { Io } from './command.js';

/**
 * `rdsplan --args-stdin`: the command line arrives as a JSON array of strings on stdin. The
 * PowerShell module calls the CLI this way because a native command's arguments are not safe
 * there: pwsh on Linux and macOS expands wildcards in them, Windows PowerShell 5.1 cannot pass
 * a double quote intact.
 */
export const ARGS_STDIN = '--args-stdin';

export async function readArgsFromStdin(io: Io): Promise<string[]> {
  if (!io.stdin) throw new UsageError(`${ARGS_STDIN}: there is no stdin to read the arguments from`);
  if (io.stdin.isTTY) throw new UsageError(`${ARGS_STDIN} reads a JSON array of argument strings from stdin, not from a terminal`);
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer));
  // A BOM: what a Windows PowerShell pipe writes when $OutputEncoding is UTF-8 with one.
  const text = Buffer.concat(chunks).toString('utf8').replace(/^\uFEFF/, '');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${ARGS_STDIN}: stdin is not JSON (${(error as Error).message}); expected an array of argument strings`);
  }
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new UsageError(`${ARGS_STDIN}: stdin must be a JSON array of strings, such as ["validate","--","plan.json"]`);
  if (value[0] === ARGS_STDIN) throw new UsageError(`${ARGS_STDIN}: the arguments on stdin cannot ask for ${ARGS_STDIN} again`);
  return value as string[];
}
