import { describe, expect, test } from '@jest/globals';
import { checkLiterals } from '../../src/verify/expected-literals.js';
import { parseScript, parseStepsSection } from '../../src/verify/parsed-script.js';
import { analyseSteps } from '../../src/verify/steps.js';
import { buildScript, GRACE_PATH } from '../support/scripts.js';

async function analysed() {
  const script = await parseScript(buildScript());
  const section = await parseStepsSection(script);
  return { script, section, steps: analyseSteps(script, section) };
}

describe('checkLiterals', () => {
  test('collects the decoded literals of the step calls', async () => {
    const { script, section, steps } = await analysed();
    try {
      expect(steps.literals.map((l) => l.value)).toEqual(expect.arrayContaining([GRACE_PATH, 'L$RTMTIMEBOMB*', 'reset-grace-period', 'TermService']));
      expect(checkLiterals(script, steps, [GRACE_PATH, 'TermService'])).toEqual([]);
    } finally {
      script.tree.delete();
      section?.section.tree.delete();
    }
  });

  test("a value the grammar finds but PowerShell's parser does not is reported, naming PowerShell", async () => {
    const { script, section, steps } = await analysed();
    try {
      const findings = checkLiterals(script, steps, [GRACE_PATH, 'TermService'], [GRACE_PATH]);
      expect(findings).toEqual([
        expect.objectContaining({ code: 'literal-missing', message: expect.stringContaining("'TermService' is not among the single-quoted literals PowerShell's parser reads") }),
      ]);
      // Reported at the start of the steps section.
      expect(findings[0]!.line).toBe(script.lines.position(section!.start).line);
    } finally {
      script.tree.delete();
      section?.section.tree.delete();
    }
  });
});
