/**
 * What an action is to the rest of the tool. An action module owns its schema fragment, how
 * a plan step of it becomes primitive steps, and how it is explained to a change board; the
 * PowerShell that carries it out lives in ps-templates/actions/<name>.ps1.
 */
export type RegistryView = '64' | '32' | 'Default';

export interface KeyRef {
  path: string;
  view: RegistryView;
}

export const RISK_CLASSES = ['read-only', 'backup', 'configuration', 'destructive', 'ownership', 'service', 'service-restart', 'reboot', 'irreversible'] as const;
export type RiskClass = (typeof RISK_CLASSES)[number];

export interface Risk {
  class: RiskClass;
  text: string;
}

/**
 * How a step touches a registry key; the policy rules reason over these, never over action
 * names. The three deletions differ in what they may reach: deleteValues leaves the key and
 * its subkeys, so it is allowed on a top-level key; deleteKey and deleteSubkeys are not.
 */
export interface KeyEffect {
  key: KeyRef;
  effect: 'export' | 'deleteKey' | 'deleteSubkeys' | 'deleteValues' | 'own' | 'restore' | 'write';
  /** The value a write overwrites when it exists: without an export only the journal keeps it. */
  value?: string;
}

export const DELETIONS: ReadonlySet<KeyEffect['effect']> = new Set(['deleteKey', 'deleteSubkeys', 'deleteValues']);

/** A journal entry's undo data: read from a file, so untrusted until an action's journal check passes. */
export type JournalFields = Record<string, unknown>;

export type ParamValue = string | number | boolean | null | ParamValue[] | { [key: string]: ParamValue };
export type Params = { [key: string]: ParamValue };

/** One step the script runs: a primitive action with normalised parameters. */
export interface PrimitiveStep<P extends Params = Params> {
  id: string;
  action: string;
  params: P;
  description?: string;
  dependsOn: string[];
  /** Handlers (restarts, reboots) run only when an earlier step of the run changed something. */
  runWhen: 'always' | 'changed';
  /** Set when the step was expanded from a preset. */
  preset?: { id: string; action: string };
  backup?: { skip: true; reason: string };
  /** JSON pointer of the plan step this came from, for diagnostics. */
  pointer: string;
}

/** A plan step as written: the common properties plus the action's own parameters. */
export interface PlanStep {
  id: string;
  action: string;
  description?: string;
  dependsOn?: string[];
  backup?: { skip: true; reason: string };
  always?: boolean;
  [param: string]: unknown;
}

export interface ActionSchema {
  properties: Record<string, unknown>;
  required: readonly string[];
  /** Conditions between parameters (e.g. the data's shape follows the value type). */
  allOf?: readonly unknown[];
}

interface ActionBase {
  name: string;
  summary: string;
  schema: ActionSchema;
}

export interface PrimitiveAction<P extends Params = Params> extends ActionBase {
  kind: 'primitive';
  /** Internal actions are emitted by expansions only and are not part of the plan schema. */
  internal?: boolean;
  /** Handlers default to running only after a change (the step's `always` overrides). */
  handler?: boolean;
  /**
   * False when the step's 'changed' is no change of the host (a backup file written, a value
   * read): a check of it is not a pending change, and it does not trigger handlers.
   */
  changesHost: boolean;
  /**
   * True when the step only prepares for the steps that depend on it (ownership, a backup): it
   * is carried out only once a dependent needs a change, so a host in desired state is untouched.
   */
  deferrable: boolean;
  /**
   * A deferred step of this action is carried out before any later change under its key, not
   * only before its dependents' (a backup must precede every change it is the backup of).
   */
  coversKey?: boolean;
  /**
   * A step of this action must pass before any change of the host, wherever the change is in
   * the plan: expansion moves it to the front, and it is deferred until the first step that
   * changes the host (a check of signed-in users before a TermService restart). When it fails
   * or refuses, no change runs.
   */
  beforeAnyChange?: boolean;
  /**
   * The step ends the deferral of the deferred steps it depends on (a restore closes the
   * ownership it restores), so it is no reason to carry them out.
   */
  closesDeferred?: boolean;
  /**
   * Nothing can undo the step's change (a revoked CAL): why, in words, which the review shows
   * as the step's rollback. The policy wants an earlier step whose report keeps what existed.
   */
  irreversible?: string;
  /**
   * Why a plan may hold one step of this action at most (each revoke's allowance check counts
   * from the same inventory before the first change, so two revokes could pass it together).
   */
  oncePerPlan?: string;
  /** The step's After is a report: the run record keeps these tables as JSON and CSV, and the views print them. */
  reports?: readonly ReportTable[];
  /** The step may opt out of the backup rule with `backup: { skip, reason }`. */
  backupOptOut?: boolean;
  /** The parameter naming the backup file this step writes (the export-file rule checks it). */
  backupFile?: keyof P & string;
  /** A valid plan step's parameters (without id and action), for the catalogue tests. */
  example: Record<string, unknown>;
  /** The JSON Schema of the normalised parameters, as the review shows them. */
  parameters: Record<string, unknown>;
  normalize(step: PlanStep): P;
  effects(params: P): KeyEffect[];
  /** Steps this one brings with it at the end of the plan (takeOwnership's restore). */
  companions?(step: PrimitiveStep<P>): PrimitiveStep[];
  /**
   * Why a journal entry may not be handed to this action's undo (null when it matches the
   * step); absent when the action journals nothing to undo.
   */
  journal?(entry: JournalFields, step: PrimitiveStep<P>): string | null;
  describe(params: P): string;
  risks(params: P): Risk[];
  privileges(params: P): string[];
  /** What rollback does for this step, in words; null when there is nothing to undo. */
  rollback(params: P): string | null;
}

export interface PresetAction extends ActionBase {
  kind: 'preset';
  /** Primitive steps in order; ids are `<step id>.<suffix>`. */
  expand(step: PlanStep, pointer: string): PrimitiveStep[];
  /** Things the operator must do or know that no step can do. */
  notes(step: PlanStep): string[];
  /** Parameters `rdsplan init` writes into a starter plan. */
  starter: Record<string, unknown>;
}

export type ActionDefinition = PrimitiveAction<any> | PresetAction;

/** One table of a report: a list in the step's After (`field`), one row per element, the columns named. */
export interface ReportTable {
  /** The table's file name in the run record: reports/<step id>.<name>.csv. */
  name: string;
  field: string;
  title: string;
  columns: readonly { field: string; title: string }[];
}
