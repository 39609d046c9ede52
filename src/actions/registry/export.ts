import { freeText } from '../../shared/schema-fragments.js';
import { keyParameters, parametersSchema } from '../../shared/review-fragments.js';
import type { PrimitiveAction } from '../types.js';
import { describeKey } from './path.js';
import { keySchemaProperties, normalizeKeyParams } from './key-params.js';

type Params = { path: string; view: '64' | '32' | 'Default'; file?: string; outsideBackupDirectory?: { reason: string } };

export const registryExport: PrimitiveAction<Params> = {
  kind: 'primitive',
  changesHost: false,
  deferrable: true,
  coversKey: true,
  backupOptOut: true,
  backupFile: 'file',
  name: 'registry.export',
  summary: 'Back up a key with reg.exe export, plus its security descriptor (SDDL) beside it.',
  schema: {
    properties: {
      ...keySchemaProperties,
      file: { ...freeText, pattern: '^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029\\uD800-\\uDFFF"*?<>|]+\\.reg$', description: 'an absolute .reg file path inside the backup folder; default: the run\'s backup folder' },
      outsideBackupDirectory: {
        type: 'object',
        required: ['reason'],
        properties: { reason: { ...freeText, minLength: 10, description: 'why the file belongs outside the protected backup folder (at least 10 characters)' } },
        additionalProperties: false,
      },
    },
    required: ['path'],
  },
  example: { path: 'HKLM\\SOFTWARE\\Contoso', file: 'D:\\Archive\\contoso.reg', outsideBackupDirectory: { reason: 'the archive share keeps backups for a year' } },
  parameters: parametersSchema(
    {
      ...keyParameters,
      file: { type: 'string' },
      outsideBackupDirectory: { type: 'object', required: ['reason'], properties: { reason: { type: 'string' } }, additionalProperties: false },
    },
    ['path', 'view'],
  ),
  normalize: (step) => ({
    ...normalizeKeyParams(step),
    ...(typeof step.file === 'string' ? { file: step.file } : {}),
    ...(step.outsideBackupDirectory ? { outsideBackupDirectory: step.outsideBackupDirectory as { reason: string } } : {}),
  }),
  effects: (p) => [{ key: { path: p.path, view: p.view }, effect: 'export' }],
  describe: (p) =>
    `Export ${describeKey(p)} with its subkeys to ${p.file ?? '<backup folder>\\<run id>\\<step id>.reg'} and save its owner and ACL as SDDL beside it; the file's sha256 goes into the run record.` +
    (p.outsideBackupDirectory ? ` The file is outside the protected backup folder: ${p.outsideBackupDirectory.reason}` : ''),
  risks: () => [{ class: 'backup', text: 'read-only: writes a backup file' }],
  privileges: () => [],
  rollback: () => null,
};
