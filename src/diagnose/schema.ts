import { DIAGNOSIS_FORMAT } from './format.js';

/**
 * schemas/diagnosis.schema.json: what `rdsplan diagnose --format json` writes. Versioned by
 * formatVersion; a reader may rely on every member named here.
 */
const text = { type: 'string' } as const;
const closed = (required: string[], properties: Record<string, unknown>) => ({ type: 'object', required, additionalProperties: false, properties });
const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });
const source = { enum: ['local', 'policy'], description: 'local, or Group Policy' } as const;
const count = { type: 'integer', minimum: 0 } as const;

const facts = closed(['licensingMode', 'licenseServers', 'connectivity', 'graceDays', 'licensingService', 'events', 'keyPacks', 'unread'], {
  licensingMode: nullable(closed(['type', 'source'], { type: { type: 'integer', description: 'Win32_TerminalServiceSetting.LicensingType: 2 per device, 4 per user, 5 not configured, …' }, source })),
  licenseServers: nullable(closed(['servers', 'source'], { servers: { type: 'array', items: text }, source })),
  connectivity: { type: 'array', items: closed(['server', 'code', 'error'], { server: text, code: { type: ['integer', 'null'], description: 'GetTStoLSConnectivityStatus: 0 … 11, 9 and 11 valid' }, error: text }) },
  graceDays: nullable(closed(['daysLeft', 'expired', 'error'], { daysLeft: { type: ['integer', 'null'] }, expired: { type: 'boolean' }, error: text })),
  licensingService: nullable(closed(['status', 'startMode'], { status: text, startMode: text })),
  events: { type: 'array', items: closed(['providerName', 'id', 'timeCreated', 'level', 'message'], { providerName: text, id: { type: 'integer' }, timeCreated: text, level: { type: 'integer' }, message: text }) },
  keyPacks: nullable({ type: 'array', description: 'null: the host is no license server', items: closed(['productVersion', 'type', 'total', 'issued', 'available'], { productVersion: text, type: text, total: count, issued: count, available: { type: 'integer' } }) }),
  unread: { type: 'array', items: text, description: 'the parts that could not be read, each with why' },
});

const finding = closed(['code', 'severity', 'text', 'fix'], {
  code: { type: 'string', pattern: '^[a-z0-9-]+$' },
  severity: { enum: ['error', 'warning', 'info'], description: 'errors and warnings make the host exit 3; info is context' },
  text,
  fix: { type: 'string', description: 'what repairs it, naming the preset or action where there is one' },
});

export function buildDiagnosisSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://rdsplan.dev/schemas/diagnosis.schema.json',
    title: 'rdsplan licensing diagnosis',
    description: 'The output of `rdsplan diagnose --format json`: per host what rds.readLicensing read and the findings worked out from it.',
    ...closed(['formatVersion', 'kind', 'plan', 'exitCode', 'hosts'], {
      formatVersion: { const: DIAGNOSIS_FORMAT },
      kind: { const: 'rdsplan-diagnosis' },
      plan: closed(['name', 'file'], { name: text, file: text }),
      exitCode: { enum: [0, 1, 3, 4, 5], description: '0 healthy, 3 findings, 1 a host not diagnosed (4 refused, 5 not elevated)' },
      hosts: {
        type: 'array',
        items: closed(['host', 'exitCode', 'error', 'facts', 'findings'], {
          host: text,
          exitCode: { enum: [0, 1, 3, 4, 5] },
          error: { type: ['string', 'null'] },
          facts: nullable(facts),
          findings: { type: 'array', items: finding },
        }),
      },
    }),
  };
}
