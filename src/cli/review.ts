import { buildReview } from '../render/review/model.js';
import { renderReview } from '../render/review/index.js';
import { renderScript } from '../render/script.js';
import { COMMON_FLAGS, EXIT, type Command } from './command.js';
import { emit, wantsColor } from './output.js';
import { requirePlan } from './plan-input.js';

export const reviewCommand: Command = {
  spec: {
    name: 'review',
    usage: 'rdsplan review <plan.json> [--format text|markdown|json|html] [--out file]',
    summary: 'The dry run a change board reads: every step in plain words, risks, backups, privileges, rollback, and the approval token.',
    flags: {
      ...COMMON_FLAGS,
      format: { value: true, choices: ['text', 'markdown', 'json', 'html'], description: 'output format (default text)' },
      out: { value: true, description: 'write to this file instead of stdout' },
    },
    positionals: { min: 1, max: 1, name: 'a plan file' },
  },
  async run({ positionals, flags }, io) {
    const { plan, result } = requirePlan(positionals[0]!, io);
    const script = renderScript(plan);
    const review = buildReview(plan, script, result.diagnostics);
    const format = (flags.format as 'text' | 'markdown' | 'json' | 'html' | undefined) ?? 'text';
    const out = flags.out as string | undefined;
    emit(io, out, renderReview(review, format, { color: format === 'text' && wantsColor(io, out) }));
    return EXIT.ok;
  },
};
