import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { verifyScript } from '../verify/verify-script.js';
import { CliError, COMMON_FLAGS, EXIT, FORMAT_FLAG, type Command } from './command.js';

export const verifyCommand: Command = {
  spec: {
    name: 'verify',
    usage: 'rdsplan verify <script.ps1> [--format text|json] [--no-powershell]',
    summary: 'Parse a script (ours or hand-edited): syntax errors, PowerShell 7-only syntax, non-literal step arguments, and tampering against its header hash. Exit 0 when clean, 1 otherwise.',
    flags: { ...COMMON_FLAGS, format: FORMAT_FLAG, 'no-powershell': { description: 'do not also parse with an installed PowerShell' } },
    positionals: { min: 1, max: 1, name: 'a script file' },
  },
  async run({ positionals, flags }, io) {
    const file = positionals[0]!;
    let text: string;
    try {
      text = readFileSync(resolve(io.cwd, file), 'utf8');
    } catch (error) {
      throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, EXIT.failed);
    }
    const report = await verifyScript(text, { fileName: file, powershell: flags['no-powershell'] ? 'off' : 'auto' });
    if (flags.format === 'json') {
      io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      for (const f of report.findings) io.stderr.write(`${file}:${f.line}:${f.column}: ${f.severity}: ${f.code}: ${f.message}\n`);
      const parsers = `tree-sitter${report.parsers.powershell ? ` and ${report.parsers.powershell.path}` : ''}`;
      if (report.ok) io.stdout.write(`${file}: ok (parsed with ${parsers})\n`);
    }
    return report.ok ? EXIT.ok : EXIT.failed;
  },
};
