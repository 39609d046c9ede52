import { buildPlanSchema } from '../plan/schema/plan-schema.js';
import { COMMON_FLAGS, EXIT, type Command } from './command.js';

export const schemaCommand: Command = {
  spec: {
    name: 'schema',
    usage: 'rdsplan schema',
    summary: 'Print the plan JSON Schema (the same as schemas/plan.schema.json).',
    flags: { ...COMMON_FLAGS },
    positionals: { min: 0, max: 0, name: '' },
  },
  async run(_args, io) {
    io.stdout.write(`${JSON.stringify(buildPlanSchema(), null, 2)}\n`);
    return EXIT.ok;
  },
};
