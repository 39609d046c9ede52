import { findAction, isPreset, primitive } from '../../actions/index.js';
import { describeKey } from '../../actions/registry/path.js';
import type { Params, Risk, RiskClass } from '../../actions/types.js';
import type { Diagnostic } from '../../plan/diagnostics.js';
import type { Plan, PlanOptions, Target } from '../../plan/types.js';
import type { RenderedScript } from '../script.js';

/**
 * The dry run as data: what every renderer (text, markdown, json, html) shows. Built from
 * the expanded plan and the rendered script alone, so it is a pure function of its input.
 */
export const REVIEW_FORMAT_VERSION = 1;

export interface ReviewStep {
  id: string;
  action: string;
  description?: string;
  what: string;
  risks: Risk[];
  runWhen: 'always' | 'changed';
  dependsOn: string[];
  preset?: { id: string; action: string };
  privileges: string[];
  rollback: string | null;
  parameters: Params;
}

export interface Review {
  formatVersion: typeof REVIEW_FORMAT_VERSION;
  tool: { name: 'rdsplan'; version: string };
  plan: {
    name: string;
    file: string;
    sha256: string;
    description?: string;
    change?: { id?: string; requestedBy?: string; approvedBy?: string; window?: string };
  };
  targets: Target[];
  options: PlanOptions;
  presets: { id: string; action: string; summary: string; expandsTo: string[] }[];
  steps: ReviewStep[];
  risks: { class: RiskClass; steps: string[] }[];
  backups: { stepId: string; key: string; file: string }[];
  privileges: { name: string; steps: string[] }[];
  rollback: { onError: PlanOptions['onError']; summary: string; steps: { stepId: string; text: string }[] };
  notes: string[];
  warnings: { line: number; column: number; pointer: string; message: string }[];
  script: { platform: string; sha256: string };
  approvalToken: string;
}

const RISK_ORDER: RiskClass[] = ['irreversible', 'reboot', 'service-restart', 'destructive', 'ownership', 'service', 'configuration', 'backup', 'read-only'];

const ON_ERROR: Record<PlanOptions['onError'], string> = {
  rollback: 'On a failure the completed steps are undone in reverse order from the run journal, and the remaining steps are skipped.',
  stop: 'On a failure the remaining steps are skipped; completed steps stay (ownership is still restored). rdsplan undo can reverse them from the run record.',
  continue: 'On a failure the run goes on; steps that depend on the failed one are skipped (ownership is still restored).',
};

function group<T extends string>(pairs: [T, string][], order?: T[]): { key: T; steps: string[] }[] {
  const map = new Map<T, string[]>();
  for (const [key, step] of pairs) map.set(key, [...(map.get(key) ?? []), step].filter((s, i, all) => all.indexOf(s) === i));
  const keys = [...map.keys()].sort((a, b) => (order ? order.indexOf(a) - order.indexOf(b) : a < b ? -1 : 1));
  return keys.map((key) => ({ key, steps: map.get(key)! }));
}

export function buildReview(plan: Plan, script: RenderedScript, warnings: Diagnostic[] = []): Review {
  const steps: ReviewStep[] = plan.steps.map((step) => {
    const action = primitive(step.action);
    return {
      id: step.id,
      action: step.action,
      ...(step.description !== undefined ? { description: step.description } : {}),
      what: action.describe(step.params),
      risks: action.risks(step.params),
      runWhen: step.runWhen,
      dependsOn: step.dependsOn,
      ...(step.preset ? { preset: step.preset } : {}),
      privileges: action.privileges(step.params),
      // What stays after a rollback is said too: "nothing to undo" would read as harmless.
      rollback: action.irreversible ? `none: ${action.irreversible}` : action.rollback(step.params),
      parameters: step.params,
    };
  });
  const presets = plan.planSteps.flatMap((planStep) => {
    const action = findAction(planStep.action);
    if (!action || !isPreset(action)) return [];
    return [{ id: planStep.id, action: action.name, summary: action.summary, expandsTo: plan.steps.filter((s) => s.preset?.id === planStep.id).map((s) => s.id) }];
  });
  const notes = plan.planSteps.flatMap((planStep) => {
    const action = findAction(planStep.action);
    // Prefixed with the step id: a plan with several presets must show which note is whose.
    return action && isPreset(action) ? action.notes(planStep).map((note) => `${planStep.id}: ${note}`) : [];
  });
  const document = plan.document;
  return {
    formatVersion: REVIEW_FORMAT_VERSION,
    tool: { name: 'rdsplan', version: script.header.toolVersion },
    plan: {
      name: plan.name,
      file: plan.file,
      sha256: plan.sha256,
      ...(document.description !== undefined ? { description: document.description } : {}),
      ...(document.change ? { change: document.change } : {}),
    },
    targets: plan.targets,
    options: plan.options,
    presets,
    steps,
    risks: group(steps.flatMap((s) => s.risks.map((r) => [r.class, s.id] as [RiskClass, string])), RISK_ORDER).map((g) => ({ class: g.key, steps: g.steps })),
    backups: plan.steps.flatMap((s) => {
      const action = primitive(s.action);
      const file = action.backupFile === undefined ? undefined : s.params[action.backupFile];
      return action
        .effects(s.params)
        .filter((e) => e.effect === 'export')
        .map((e) => ({ stepId: s.id, key: describeKey(e.key), file: typeof file === 'string' ? file : `${plan.options.backupDirectory}\\<run id>\\${s.id}.reg` }));
    }),
    privileges: group(steps.flatMap((s) => s.privileges.map((p) => [p, s.id] as [string, string]))).map((g) => ({ name: g.key, steps: g.steps })),
    rollback: {
      onError: plan.options.onError,
      summary: ON_ERROR[plan.options.onError],
      steps: steps.filter((s) => s.rollback !== null).map((s) => ({ stepId: s.id, text: s.rollback! })),
    },
    notes,
    warnings: warnings.filter((w) => w.severity === 'warning').map(({ line, column, pointer, message }) => ({ line, column, pointer, message })),
    script: { platform: script.platform, sha256: script.scriptSha256 },
    approvalToken: script.approvalToken,
  };
}
