import { listRuns, showRun } from '../apply/records.js';
import { terminalSafe } from '../apply/terminal-safe.js';
import type { RunRecord } from '../run/record.js';
import { COMMON_FLAGS, EXIT, type Command } from './command.js';

export const runsCommand: Command = {
  spec: {
    name: 'runs',
    usage: 'rdsplan runs [--records dir] [--format text|json]',
    summary: 'List the run records, oldest first.',
    flags: { ...COMMON_FLAGS, records: { value: true, description: 'folder that holds runs/ (default ./.rdsplan)' }, format: { value: true, choices: ['text', 'json'], description: 'output format' } },
    positionals: { min: 0, max: 0, name: '' },
  },
  async run({ flags }, io) {
    const rows = listRuns(io.cwd, typeof flags.records === 'string' ? flags.records : undefined);
    if (flags.format === 'json') io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else for (const r of rows) io.stdout.write(`${terminalSafe(`${r.startedAt}  ${r.mode.padEnd(5)}  ${r.status.padEnd(10)}  ${r.host}  ${r.plan}  ${r.dir}`)}\n`);
    return EXIT.ok;
  },
};

function recordText(r: RunRecord, markdown: boolean): string {
  const lines = [
    `${markdown ? '# ' : ''}Run ${r.runId}: ${r.plan.name} on ${r.host} (${r.mode}) — ${r.status}, exit ${r.exitCode}`,
    '',
    `- plan: ${r.plan.file} (sha256 ${r.plan.sha256})`,
    `- script: sha256 ${r.script.sha256}, approval token ${r.script.approvalToken}, rdsplan ${r.script.toolVersion}, platform ${r.script.platform}`,
    `- ran by: ${r.ranBy.user} on ${r.ranBy.machine}${r.ranBy.remoteUser ? ` (as ${r.ranBy.remoteUser} on the host)` : ''}`,
    `- from ${r.startedAt} to ${r.endedAt}`,
    ...(r.complete === false ? [`- INCOMPLETE: ${r.interrupted ?? 'rdsplan ended before the run was finalized'}`] : []),
    ...(r.undoOf ? [`- undo of run ${r.undoOf.runId} (${r.undoOf.record})`] : []),
    ...(r.forced ? [`- forced (--force): ${r.forced.reason}; past ${r.forced.overrode.join('; ') || 'no refusal'}`] : []),
    ...(r.approval ? [`- approved by ${r.approval.how === 'token' ? '--approve' : 'typed confirmation'}: ${r.approval.token}`] : []),
    ...(r.error ? [`- error: ${r.error}`] : []),
    ...(r.summary?.message ? [`- ${r.summary.message}`] : []),
    ...(r.summary?.status === 'rolledBack'
      ? [`- rolled back: ${r.steps.filter((s) => s.status === 'rolledBack').map((s) => s.stepId).join(', ') || 'nothing had changed'}; the host is ${r.summary.restoredToStart ? '' : 'NOT '}back at its start`]
      : []),
    '',
    ...(markdown ? ['| step | action | status | before | after | message |', '|---|---|---|---|---|---|'] : ['steps:']),
    ...r.steps.map((s) => {
      const cells = [s.stepId, s.action, s.status, JSON.stringify(s.before ?? null), JSON.stringify(s.after ?? null), s.message ?? ''];
      return markdown ? `| ${cells.map((c) => c.replace(/[|\\`<>]/g, (m) => `\\${m}`).replace(/\r?\n/g, ' ')).join(' | ')} |` : `  ${cells[2]!.padEnd(11)} ${cells[0]} (${cells[1]}) ${cells[3]} -> ${cells[4]} ${cells[5]}`;
    }),
    '',
    'backups:',
    ...r.backups.map((b) => `  ${b.stepId}: ${b.file} sha256 ${b.sha256}`),
  ];
  // Each line escaped on its own: a newline inside a host's text cannot start a line of ours.
  return `${lines.map((line) => terminalSafe(line)).join('\n')}\n`;
}

export const showRunCommand: Command = {
  spec: {
    name: 'show-run',
    usage: 'rdsplan show-run <run-record-dir> [--format text|markdown|json]',
    summary: 'Print one run record.',
    flags: { ...COMMON_FLAGS, format: { value: true, choices: ['text', 'markdown', 'json'], description: 'output format' } },
    positionals: { min: 1, max: 1, name: 'a run record folder' },
  },
  async run({ positionals, flags }, io) {
    const record = showRun(io.cwd, positionals[0]!);
    io.stdout.write(flags.format === 'json' ? `${JSON.stringify(record, null, 2)}\n` : recordText(record, flags.format === 'markdown'));
    return EXIT.ok;
  },
};
