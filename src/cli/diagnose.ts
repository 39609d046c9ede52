import { requirePowerShell, runSettings } from '../apply/settings.js';
import { diagnose } from '../diagnose/diagnose.js';
import { COMMON_FLAGS, type Command } from './command.js';
import { diagnosisMarkdown, diagnosisText } from './human/diagnosis.js';
import { requirePlan } from './plan-input.js';
import { progressReporter, RUN_FLAGS, runRequest } from './run-common.js';

export const diagnoseCommand: Command = {
  spec: {
    name: 'diagnose',
    usage: 'rdsplan diagnose <plan.json> [--target host]… [--simulate state.json|dir] [--format text|json|markdown]',
    summary:
      'Read-only licensing diagnosis of the plan\'s targets, what RD Licensing Diagnoser shows: mode and license servers with their source, connectivity to each, grace days, TermServLicensing, recent licensing events, CALs on a license server; each finding with its severity and the preset that fixes it. Exit 0 healthy, 3 findings, 1 not diagnosed.',
    flags: {
      ...COMMON_FLAGS,
      target: RUN_FLAGS.target!,
      simulate: RUN_FLAGS.simulate!,
      timeout: RUN_FLAGS.timeout!,
      throttle: RUN_FLAGS.throttle!,
      format: { value: true, choices: ['text', 'json', 'markdown'], description: 'output format (json: schemas/diagnosis.schema.json)' },
    },
    positionals: { min: 1, max: 1, name: 'a plan file (its targets are diagnosed; its steps are not run)' },
  },
  async run({ positionals, flags }, io) {
    const { plan } = requirePlan(positionals[0]!, io);
    const settings = runSettings(plan, runRequest(flags, io));
    const powershell = await requirePowerShell(io.env);
    const progress = progressReporter(io, settings.targets.length);
    const result = await diagnose(plan, settings, powershell, (event) => progress.onEvent(event));
    progress.done();
    if (flags.format === 'json') io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else io.stdout.write(flags.format === 'markdown' ? diagnosisMarkdown(result) : diagnosisText(result));
    return result.exitCode;
  },
};
