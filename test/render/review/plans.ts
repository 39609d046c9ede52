import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { approvalToken, scriptSha256 } from '../../../src/shared/hash.js';
import { buildReview, type Review } from '../../../src/render/review/model.js';
import type { RenderedScript } from '../../../src/render/script.js';
import { validatePlanFile, validatePlanText, type ValidationResult } from '../../../src/plan/validate.js';
import type { Plan } from '../../../src/plan/types.js';

/**
 * Plans and reviews for the renderer tests. The script part is test data: renderScript needs
 * the PowerShell templates, and buildReview reads only the header, hashes and platform.
 */
export const TEST_TOOL_VERSION = '0.1.0-test';

export function testScript(plan: Plan): RenderedScript {
  const body = `# test script body for ${plan.name}\n`;
  const token = approvalToken(plan.sha256, TEST_TOOL_VERSION, body);
  return {
    text: body,
    header: { toolVersion: TEST_TOOL_VERSION, planName: plan.name, planSha256: plan.sha256, approvalToken: token },
    body,
    scriptSha256: scriptSha256(body),
    approvalToken: token,
    literals: [],
    platform: 'windows',
  };
}

function reviewOf(file: string, result: ValidationResult): Review {
  if (!result.plan) throw new Error(`test plan ${file} is invalid:\n${JSON.stringify(result.diagnostics, null, 2)}`);
  return buildReview(result.plan, testScript(result.plan), result.diagnostics);
}

export function reviewOfFile(path: string): Review {
  return reviewOf(path, validatePlanFile(path));
}

export function reviewOfPlan(file: string, document: unknown): Review {
  return reviewOf(file, validatePlanText(file, Buffer.from(JSON.stringify(document, null, 2))));
}

const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));
export const GRACE_PERIOD_EXAMPLE = `${EXAMPLES}reset-grace-period.json`;

export function exampleReviews(): [string, Review][] {
  return readdirSync(EXAMPLES)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => [`examples/${name}`, reviewOfFile(`${EXAMPLES}${name}`)]);
}

const envelope = { apiVersion: 'rdsplan/v1', targets: ['localhost'] };

export const CLIENT_CACHE_PLAN = {
  ...envelope,
  name: 'clear-cal-cache-ws042',
  change: { id: 'CHG0020001', requestedBy: 'helpdesk@contoso.com' },
  steps: [{ id: 'cache', action: 'rds.clearClientLicenseCache' }],
};

export const SERVICE_PLAN = {
  ...envelope,
  name: 'restart-termservice',
  targets: ['rdsh01.contoso.com', { computerName: 'rdsh02.contoso.com', port: 5986, useSSL: true }],
  options: { onError: 'stop' },
  steps: [
    { id: 'licensing-off', action: 'rds.disableLicensingService', stop: true },
    { id: 'restart-rds', action: 'service.restart', name: 'TermService', force: true, always: true },
  ],
};

export const REBOOT_PLAN = {
  ...envelope,
  name: 'configure-and-reboot',
  options: { reboot: 'ifRequired', onError: 'continue' },
  steps: [
    { id: 'licensing', action: 'rds.configureLicensing', servers: ['lic01.contoso.com', 'lic02.contoso.com'], mode: 'PerUser' },
    { id: 'reboot', action: 'host.reboot', delaySeconds: 60 },
  ],
};

const APP_KEY = 'HKLM\\SOFTWARE\\Contoso\\App';

/** Every plan action at least once, with the common step properties, and one policy warning (setValue without an export). */
export const ALL_ACTIONS_PLAN = {
  ...envelope,
  name: 'all-actions',
  description: 'Every action once.\nSecond line of the description.',
  change: { id: 'CHG1', requestedBy: 'ops@contoso.com', approvedBy: 'cab@contoso.com', window: 'Sat 02:00-04:00 UTC' },
  targets: ['localhost', { computerName: 'rdsh03', port: 5985 }],
  options: { backupDirectory: 'D:\\Backups\\rdsplan', onError: 'rollback', reboot: 'always', timeoutSeconds: 600 },
  steps: [
    { id: 'export', action: 'registry.export', path: APP_KEY, description: 'Back up the app key' },
    { id: 'export-file', action: 'registry.export', path: 'HKLM:\\SOFTWARE\\Contoso\\Other', view: '32', file: 'D:\\Backups\\rdsplan\\other.reg' },
    { id: 'own', action: 'registry.takeOwnership', path: `${APP_KEY}\\Locked`, dependsOn: ['export'] },
    { id: 'set', action: 'registry.setValue', path: APP_KEY, name: 'Mode', type: 'DWord', data: 2 },
    { id: 'set-unbacked', action: 'registry.setValue', path: 'HKLM\\SOFTWARE\\Fabrikam', name: 'Flag', type: 'String', data: 'on' },
    { id: 'del-value', action: 'registry.deleteValue', path: APP_KEY, name: 'Old' },
    { id: 'del-key', action: 'registry.deleteKey', path: `${APP_KEY}\\Cache`, recurse: true },
    { id: 'del-subkeys', action: 'registry.deleteSubkeys', path: `${APP_KEY}\\Sessions`, namePattern: 'tmp-*' },
    { id: 'start-mode', action: 'service.setStartMode', name: 'Spooler', startMode: 'AutomaticDelayedStart' },
    { id: 'start', action: 'service.start', name: 'Spooler' },
    { id: 'stop', action: 'service.stop', name: 'UmRdpService' },
    { id: 'restart', action: 'service.restart', name: 'Spooler' },
    { id: 'servers', action: 'rds.setLicenseServers', servers: ['lic01.contoso.com'], via: 'policy' },
    { id: 'mode', action: 'rds.setLicensingMode', mode: 'PerDevice' },
    { id: 'grace', action: 'rds.resetGracePeriod' },
    { id: 'cache', action: 'rds.clearClientLicenseCache' },
    { id: 'licensing-off', action: 'rds.disableLicensingService' },
    { id: 'configure', action: 'rds.configureLicensing', servers: ['lic02.contoso.com'], mode: 'PerUser', via: 'wmi' },
    { id: 'reboot', action: 'host.reboot' },
  ],
};

export function allReviews(): [string, Review][] {
  return [
    ['grace period example', reviewOfFile(GRACE_PERIOD_EXAMPLE)],
    ['client CAL cache', reviewOfPlan('cache.json', CLIENT_CACHE_PLAN)],
    ['service restart', reviewOfPlan('service.json', SERVICE_PLAN)],
    ['reboot', reviewOfPlan('reboot.json', REBOOT_PLAN)],
    ['all actions', reviewOfPlan('all.json', ALL_ACTIONS_PLAN)],
  ];
}
