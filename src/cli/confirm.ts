import { createInterface } from 'node:readline';
import type { Io } from './command.js';

/** Asks one question on the terminal; only an exact answer counts as yes. */
export async function confirm(io: Io, question: string, expected: string): Promise<boolean> {
  if (!io.stdin) return false;
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.question(question, resolve);
      rl.once('close', () => resolve(''));
    });
    return answer.trim() === expected;
  } finally {
    rl.close();
  }
}

export function isInteractive(io: Io): boolean {
  return io.stdin?.isTTY === true && io.stderr.isTTY === true;
}
