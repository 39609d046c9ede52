import { scriptBytes, renderScript } from '../render/script.js';
import { verifyScript } from '../verify/verify-script.js';
import { CliError, COMMON_FLAGS, EXIT, type Command } from './command.js';
import { emit } from './output.js';
import { requirePlan } from './plan-input.js';

export const renderCommand: Command = {
  spec: {
    name: 'render',
    usage: 'rdsplan render <plan.json> [--out script.ps1] [--platform windows|sim]',
    summary: 'Write the Windows PowerShell script for a plan (UTF-8 with BOM, CRLF). The script is parsed and checked before it is written.',
    flags: {
      ...COMMON_FLAGS,
      out: { value: true, description: 'write the script to this file (default: stdout)' },
      platform: { value: true, choices: ['windows', 'sim'], description: 'platform layer: windows (default) or the simulated host' },
    },
    positionals: { min: 1, max: 1, name: 'a plan file' },
  },
  async run({ positionals, flags }, io) {
    const { plan } = requirePlan(positionals[0]!, io);
    const rendered = renderScript(plan, { platform: (flags.platform as 'windows' | 'sim' | undefined) ?? 'windows' });
    // The self-check guards against a renderer bug, so it never consults an external PowerShell.
    const report = await verifyScript(rendered.text, { expectedLiterals: rendered.literals, powershell: 'off' });
    const errors = report.findings.filter((f) => f.severity === 'error');
    if (errors.length > 0) {
      for (const f of errors) io.stderr.write(`<rendered script>:${f.line}:${f.column}: error: ${f.code}: ${f.message}\n`);
      throw new CliError('the rendered script failed its own verification; nothing was written (this is a bug in rdsplan)', EXIT.failed);
    }
    emit(io, flags.out as string | undefined, scriptBytes(rendered), rendered.text);
    if (flags.out !== undefined) io.stderr.write(`wrote ${String(flags.out)} (approval token ${rendered.approvalToken})\n`);
    return EXIT.ok;
  },
};
