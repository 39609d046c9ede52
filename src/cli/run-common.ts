import type { RunRequest } from '../apply/settings.js';
import type { RunEvent } from '../run/protocol.js';
import type { FlagSpec, ParsedArgs } from './args.js';
import type { Io } from './command.js';

/** Flags shared by the commands that run a script on hosts. */
export const RUN_FLAGS: Record<string, FlagSpec> = {
  target: { value: true, repeat: true, description: 'run on this target only (repeatable); default: every target of the plan' },
  simulate: { value: true, description: 'run against the simulated host: a state file (one target) or a folder of <host>.json' },
  timeout: { value: true, description: 'seconds before a run is killed (default: the plan\'s timeoutSeconds, 1800)' },
  throttle: { value: true, description: 'hosts at once in a fleet (default 16)' },
  records: { value: true, description: 'folder that holds runs/ and backups/ (default ./.rdsplan, on every platform)' },
  format: { value: true, choices: ['text', 'json'], description: 'output format' },
};

/** The run flags as the stage takes them (src/apply/settings.ts checks them). */
export function runRequest(flags: ParsedArgs['flags'], io: Io): RunRequest {
  const text = (name: string) => (typeof flags[name] === 'string' ? { [name]: flags[name] as string } : {});
  return { cwd: io.cwd, ...(flags.target !== undefined ? { target: flags.target as string[] } : {}), ...text('simulate'), ...text('timeout'), ...text('throttle'), ...text('records') };
}

// The summary's rows moved to human/ with the other human views; the commands import them from here.
export { summaryTable } from './human/fleet-summary.js';

/** Hosts done / failed / running on a terminal, redrawn in place on stderr. */
export function progressReporter(io: Io, total: number): { onEvent(event: RunEvent): void; done(): void } {
  if (!io.stderr.isTTY || total < 2) return { onEvent: () => {}, done: () => {} };
  const started = new Set<string>();
  const finished = new Map<string, boolean>();
  const draw = () => {
    const failed = [...finished.values()].filter((ok) => !ok).length;
    io.stderr.write(`\r${finished.size}/${total} hosts done, ${failed} failed, ${started.size - finished.size} running `);
  };
  return {
    onEvent(event) {
      if (event.event === 'start') started.add(event.host);
      if (event.event === 'summary') finished.set(event.host, event.status === 'succeeded');
      draw();
    },
    done() {
      io.stderr.write('\n');
    },
  };
}
