import type { LicensingFacts } from './facts.js';
import type { Finding } from './findings.js';

/** What `rdsplan diagnose --format json` writes (schemas/diagnosis.schema.json), apart from the stage that makes it. */
export const DIAGNOSIS_FORMAT = 1;

/** One host's diagnosis: what was read, what was found, and its exit code (0 healthy, 3 findings, 1 not read). */
export interface HostDiagnosis {
  host: string;
  exitCode: number;
  /** Why the host could not be read, if so (the facts are then null). */
  error: string | null;
  facts: LicensingFacts | null;
  findings: Finding[];
}

export interface Diagnosis {
  formatVersion: typeof DIAGNOSIS_FORMAT;
  kind: 'rdsplan-diagnosis';
  plan: { name: string; file: string };
  exitCode: number;
  hosts: HostDiagnosis[];
}
