import { describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validatePlanFile } from '../../src/plan/validate.js';
import { renderReview, REVIEW_FORMATS } from '../../src/render/review/index.js';
import { buildReview } from '../../src/render/review/model.js';
import { renderScript, type RenderedScript } from '../../src/render/script.js';

/**
 * Golden files: what each example plan puts into its script and its reviews, so that a diff
 * names the plan it belongs to. The runtime, platform and action templates are the same in every
 * script and are covered by their own behavioural tests: embedding them here made one comment
 * line fail every golden file, and a real runtime bug fail the same files, so both got
 * regenerated unread. Hashes change with any template edit and are replaced by one placeholder
 * per kind (a hash shown in the wrong place still differs). `UPDATE_GOLDEN=1 npm run jest --
 * test/render/golden` rewrites the files after the diff has been read.
 */
const GOLDEN = 'test/golden';
const EXTENSIONS = { text: 'review.txt', markdown: 'review.md', json: 'review.json', html: 'review.html' } as const;
const update = process.env.UPDATE_GOLDEN === '1';

function compare(file: string, actual: string): void {
  const path = join(GOLDEN, file);
  if (update) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(path, actual);
  }
  if (!existsSync(path)) throw new Error(`${path} is missing: run UPDATE_GOLDEN=1 npm run jest -- test/render/golden and read what it wrote`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

/** Every hash the plan, its script and the tool put into a rendering, with the placeholder it stands as. */
function withoutHashes(text: string, planSha256: string, script: RenderedScript): string {
  const masked = text
    .replaceAll(script.approvalToken, 'sha256:<approval-token>')
    .replaceAll(script.scriptSha256, '<script-sha256>')
    .replaceAll(planSha256, '<plan-sha256>');
  // A hash this function does not know would make the golden file change with every template edit again.
  expect(masked.match(/\b[0-9a-f]{64}\b/g) ?? []).toEqual([]);
  return masked;
}

function linesFrom(lines: string[], first: (line: string) => boolean, last: (line: string) => boolean, what: string): string[] {
  const start = lines.findIndex(first);
  const end = lines.findIndex((line, index) => index >= start && last(line));
  if (start < 0 || end < 0) throw new Error(`the rendered script has no ${what}`);
  return lines.slice(start, end + 1);
}

/**
 * The part of a script that comes from its plan: the header, the param block (its defaults come
 * from the plan's options), which action templates are included, and the lines from
 * New-RdsPlanContext to Complete-RdsPlan (one call per step, in order, with its parameters).
 */
function planPart(script: RenderedScript): string {
  const lines = script.text.split('\r\n');
  const header = linesFrom(lines, (line) => line.startsWith('# '), (line) => !line.startsWith('# '), 'header').slice(0, -1);
  const param = linesFrom(lines, (line) => line === 'param(', (line) => line === ')', 'param block');
  const templates = lines.filter((line) => line.startsWith('#region actions/'));
  const calls = linesFrom(
    lines,
    (line) => line.startsWith('$RdsContext = New-RdsPlanContext '),
    (line) => line === 'Complete-RdsPlan -Context $RdsContext',
    'New-RdsPlanContext ... Complete-RdsPlan section',
  );
  return [...header, '', ...param, '', ...templates, '', ...calls, ''].join('\n');
}

/** The review's stylesheet is the same for every plan (test/render/review/html.test.ts checks the page around it). */
function withoutStylesheet(html: string): string {
  return html.replace(/<style>[\s\S]*?<\/style>/, '<style>(the review stylesheet)</style>');
}

describe.each(readdirSync('examples').filter((f) => f.endsWith('.json')))('%s', (example) => {
  const name = example.replace(/\.json$/, '');
  const result = validatePlanFile(join('examples', example));
  const plan = result.plan!;
  const script = renderScript(plan, { toolVersion: '0.0.0-golden' });

  test('script', () => {
    expect(script.text.split('\r\n').some((line) => line.includes('\n'))).toBe(false);
    compare(`${name}.ps1`, withoutHashes(planPart(script), plan.sha256, script));
  });

  test.each(REVIEW_FORMATS)('review as %s', (format) => {
    const review = renderReview(buildReview(plan, script, result.diagnostics), format, { color: false });
    compare(`${name}.${EXTENSIONS[format]}`, withoutHashes(format === 'html' ? withoutStylesheet(review) : review, plan.sha256, script));
  });
});

test('no golden file is left over from a removed example', () => {
  const examples = new Set(readdirSync('examples').map((f) => f.replace(/\.json$/, '')));
  const orphans = readdirSync(GOLDEN).filter((f) => !examples.has(f.split('.')[0]!));
  expect(orphans).toEqual([]);
});
