/**
 * The renderer knows which plan values it wrote; each must come back, unchanged, as one
 * single-quoted literal among the step calls' arguments or the param() defaults. Comparing decoded values (not raw
 * text) catches a value split across tokens, one that broke out of its quotes, and one
 * whose quoting PowerShell reads differently (a lone typographic quote).
 */
import { finding, snippet, type Finding } from './findings.js';
import type { ParsedScript } from './parsed-script.js';
import type { StepsAnalysis } from './steps.js';

/**
 * `powershellValues`: the same literals as PowerShell's own parser decoded them, when it ran;
 * a value must then be found by both readings.
 */
export function checkLiterals(script: ParsedScript, steps: StepsAnalysis, expected: readonly string[], powershellValues?: readonly string[]): Finding[] {
  if (expected.length === 0) return [];
  const present = new Set(steps.literals.map((literal) => literal.value));
  const presentForPowerShell = powershellValues ? new Set(powershellValues) : present;
  const at = steps.start ? script.positionOf(steps.start) : { line: 1, column: 1 };
  const findings: Finding[] = [];
  for (const value of new Set(expected)) {
    const missing = !present.has(value) ? 'is not an intact single-quoted literal in the steps section or the param() defaults' : !presentForPowerShell.has(value) ? "is not among the single-quoted literals PowerShell's parser reads there" : null;
    if (missing) findings.push(finding('error', 'literal-missing', at, `the plan value '${snippet(value, 60)}' ${missing}`));
  }
  return findings;
}
