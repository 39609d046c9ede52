/**
 * `rdsplan verify` and the renderer's self-check: is this script the one that was rendered
 * and approved, does it parse, will it run on Windows PowerShell 5.1 (no 7-only constructs,
 * none of the known 5.1 pitfalls), and did every plan value arrive as an intact literal?
 */
import { approvalToken } from '../shared/hash.js';
import { splitScript } from '../render/header.js';
import { findPowerShell, type FoundPowerShell } from '../run/find-powershell.js';
import { finding, type Finding, type VerifyReport } from './findings.js';
import { parseScript, parseStepsSection } from './parsed-script.js';
import { parseWithPowerShell, type PowerShellParseResult } from './powershell-parser.js';
import { findDivergence } from './divergence.js';
import { checkLiterals } from './expected-literals.js';
import { findPs51Pitfalls } from './ps51-pitfalls.js';
import { findPs7Only, ps7SyntaxMessage } from './ps7-only.js';
import { analyseSteps } from './steps.js';
import { findSyntaxErrors } from './syntax-errors.js';

export type { Finding, VerifyReport } from './findings.js';

export interface VerifyOptions {
  /** Plan values that must appear, each as an intact single-quoted literal in the steps section. */
  expectedLiterals?: string[];
  fileName?: string;
  /** `auto` (default): also run PowerShell's parser when a PowerShell is found; `off`: tree-sitter only. */
  powershell?: 'auto' | 'off' | FoundPowerShell;
}

export async function verifyScript(text: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const findings: Finding[] = [...checkHeader(text), ...checkEncoding(text)];
  const powershell = await resolvePowerShell(options.powershell ?? 'auto', findings);
  const script = await parseScript(text);
  const section = await parseStepsSection(script);
  try {
    const ps7 = findPs7Only(script);
    const syntax = findSyntaxErrors(script, ps7);
    const steps = analyseSteps(script, section);
    findings.push(...ps7.map((f) => f.finding), ...findPs51Pitfalls(script), ...steps.findings);
    findings.push(...dedupe([...findDivergence(script), ...(section ? findDivergence(section.section, section.start) : [])]));
    const parsed = powershell ? await runPowerShell(text, powershell, findings) : null;
    findings.push(...checkLiterals(script, steps, options.expectedLiterals ?? [], parsed?.literals.map((l) => l.value)));
    findings.push(...(parsed ? reconcile(syntax.map((f) => f.finding), ps7.map((f) => f.finding), parsed) : syntax.map((f) => f.finding)));
  } finally {
    script.tree.delete();
    section?.section.tree.delete();
  }
  findings.sort((a, b) => a.line - b.line || a.column - b.column);
  return {
    ok: !findings.some((f) => f.severity === 'error'),
    ...(options.fileName === undefined ? {} : { fileName: options.fileName }),
    findings,
    parsers: { treeSitter: true, powershell: powershell ? { path: powershell.path, source: powershell.source } : null },
  };
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.line}:${f.column}:${f.code}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function checkHeader(text: string): Finding[] {
  const split = splitScript(text);
  if (!split) {
    return [finding('error', 'header-missing', { line: 1, column: 1 }, 'no rdsplan header: the script does not start with the six header lines rdsplan writes, so nothing proves it was rendered and approved')];
  }
  const { header, body } = split;
  const expected = approvalToken(header.planSha256, header.toolVersion, body);
  if (expected === header.approvalToken) return [];
  return [
    finding(
      'error',
      'tampered',
      { line: 5, column: 1 },
      `approval token mismatch: the header says ${header.approvalToken} but the body and header compute ${expected}; the body or the header was edited after rendering`,
    ),
  ];
}

function checkEncoding(text: string): Finding[] {
  const nonAscii = text.replace(/^\uFEFF/, '').search(/[^\u0000-\u007f]/);
  if (text.startsWith('\uFEFF') || nonAscii < 0) return [];
  const line = text.slice(0, nonAscii).split(/\r\n|\r|\n/).length;
  return [finding('warning', 'encoding', { line, column: 1 }, 'non-ASCII text in a file without a UTF-8 BOM: Windows PowerShell 5.1 reads such a file as ANSI')];
}

async function resolvePowerShell(choice: VerifyOptions['powershell'], findings: Finding[]): Promise<FoundPowerShell | null> {
  if (choice === 'off') return null;
  if (choice !== 'auto' && choice !== undefined) return choice;
  try {
    return await findPowerShell();
  } catch (error) {
    findings.push(finding('warning', 'parser-unavailable', { line: 1, column: 1 }, `${(error as Error).message}; checked with tree-sitter only`));
    return null;
  }
}

async function runPowerShell(text: string, powershell: FoundPowerShell, findings: Finding[]): Promise<PowerShellParseResult | null> {
  try {
    return await parseWithPowerShell(text, powershell);
  } catch (error) {
    findings.push(finding('warning', 'parser-unavailable', { line: 1, column: 1 }, `${(error as Error).message}; checked with tree-sitter only`));
    return null;
  }
}

/**
 * PowerShell's parser decides what is a syntax error: a tree-sitter error on a line where
 * PowerShell found none is a gap in the grammar (a warning), one where it found one is the
 * same error (dropped). PowerShell 7 constructs that only the AST revealed are added.
 */
function reconcile(syntax: Finding[], ps7: Finding[], parsed: PowerShellParseResult): Finding[] {
  const out: Finding[] = [];
  const errorLines = new Set(parsed.errors.map((e) => e.line));
  for (const e of parsed.errors) out.push(finding('error', 'syntax-error', e, `${e.message} (PowerShell parser, ${e.id})`));
  for (const f of syntax) {
    if (!errorLines.has(f.line)) out.push({ ...f, severity: 'warning', code: 'syntax-unconfirmed', message: `${f.message} (tree-sitter only; PowerShell's parser accepts this line)` });
  }
  const known = new Set(ps7.map((f) => `${f.line}|${f.message}`));
  for (const c of parsed.constructs) {
    const message = ps7SyntaxMessage(c.construct);
    if (!known.has(`${c.line}|${message}`)) out.push(finding('error', 'ps7-only', c, message));
  }
  return out;
}
