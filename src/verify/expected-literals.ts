/**
 * The renderer knows which plan values it wrote; each must come back, unchanged, as one
 * single-quoted literal among the step calls' arguments. Comparing decoded values (not raw
 * text) catches a value split across tokens, one that broke out of its quotes, and one
 * whose quoting PowerShell reads differently (a lone typographic quote).
 */
import { finding, snippet, type Finding } from './findings.js';
import type { ParsedScript } from './parsed-script.js';
import type { StepsAnalysis } from './steps.js';

export function checkLiterals(script: ParsedScript, steps: StepsAnalysis, expected: readonly string[]): Finding[] {
  if (expected.length === 0) return [];
  const present = new Set(steps.literals.map((literal) => literal.value));
  const at = steps.start ? script.positionOf(steps.start) : { line: 1, column: 1 };
  const findings: Finding[] = [];
  for (const value of new Set(expected)) {
    if (!present.has(value)) {
      findings.push(finding('error', 'literal-missing', at, `the plan value '${snippet(value, 60)}' is not an intact single-quoted literal in the steps section`));
    }
  }
  return findings;
}
