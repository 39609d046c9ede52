import type { ErrorObject } from 'ajv';
import { planActions } from '../actions/index.js';
import type { Diagnostic } from './diagnostics.js';
import type { LoadedPlan } from './load.js';
import { registryPath } from '../shared/schema-fragments.js';
import { controlCharacterHint, looksFlattened, registryPathHint, typeHint, valueTypeHint } from './hints.js';
import { didYouMean } from './suggest.js';

/**
 * Turns ajv's errors into one sentence each, at the line and column of the value. ajv reports
 * every branch of an anyOf/oneOf; only the branches whose type fits the value are kept, so an
 * object that was meant to be a target is not also told that it "must be string".
 */
type Schema = Record<string, unknown>;

function resolveSchemaPath(schema: Schema, schemaPath: string): Schema | undefined {
  let node: unknown = schema;
  for (const raw of schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node !== null && typeof node === 'object' ? (node as Schema) : undefined;
}

function parentSchemaOf(schema: Schema, error: ErrorObject): Schema | undefined {
  return resolveSchemaPath(schema, error.schemaPath.slice(0, error.schemaPath.lastIndexOf('/')));
}

function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

function branchAccepts(branch: Schema, value: unknown): boolean {
  const type = branch.type;
  const actual = jsonType(value);
  if (type === undefined) return true;
  const types = Array.isArray(type) ? type : [type];
  return types.includes(actual) || (actual === 'integer' && types.includes('number'));
}

const a = (type: string): string => (/^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`);

function sentence(error: ErrorObject, schema: Schema, data: unknown): { message: string; pointer: string; at: 'value' | 'key' } {
  const params = error.params as Record<string, any>;
  const parent = parentSchemaOf(schema, error);
  const described = typeof parent?.description === 'string' ? parent.description : undefined;
  const here = { pointer: error.instancePath, at: 'value' as const };
  switch (error.keyword) {
    case 'required':
      return { ...here, message: `missing required property "${params.missingProperty}"` };
    case 'additionalProperties': {
      const allowed = Object.keys((parent?.properties as Schema | undefined) ?? {});
      const name = String(params.additionalProperty);
      return { pointer: `${error.instancePath}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`, at: 'key', message: `unknown property "${name}"${didYouMean(name, allowed)}` };
    }
    case 'discriminator': {
      const names = planActions().map((action) => action.name);
      return { pointer: `${error.instancePath}/action`, at: 'value', message: `unknown action "${params.tagValue}"${didYouMean(String(params.tagValue), names)}` };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v));
      const value = valueAt(data, error.instancePath);
      const names = (params.allowedValues as unknown[]).map(String);
      const hint = typeof value === 'string' ? (valueTypeHint(value, names) ?? didYouMean(value, names)) : '';
      return { ...here, message: `must be one of ${allowed.join(', ')}${hint}` };
    }
    case 'const':
      return { ...here, message: `must be ${JSON.stringify(params.allowedValue)}` };
    case 'type': {
      const expected = String(params.type).split(',');
      const hint = typeHint(valueAt(data, error.instancePath), expected, looksFlattened(data)) ?? '';
      return { ...here, message: `must be ${expected.map(a).join(' or ')}${hint}` };
    }
    case 'pattern': {
      const value = valueAt(data, error.instancePath);
      const path = typeof value === 'string' && parent?.pattern === registryPath.pattern ? registryPathHint(value) : undefined;
      if (path) return { ...here, message: path };
      const hint = typeof value === 'string' ? (controlCharacterHint(value) ?? '') : '';
      return { ...here, message: `${described ? `must be ${described}` : `must match the pattern ${params.pattern}`}${hint}` };
    }
    case 'minLength':
      return { ...here, message: params.limit === 1 ? 'must not be empty' : `must be at least ${params.limit} characters long` };
    case 'maxLength':
      return { ...here, message: `must be at most ${params.limit} characters long` };
    case 'minItems':
      return { ...here, message: `must have at least ${params.limit} item${params.limit === 1 ? '' : 's'}` };
    case 'maxItems':
      return { ...here, message: `must have at most ${params.limit} items` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { ...here, message: `must be ${params.comparison} ${params.limit}${described ? ` (${described})` : ''}` };
    case 'uniqueItems':
      return { ...here, message: `must not repeat items (items ${params.j} and ${params.i} are the same)` };
    case 'not':
      return { ...here, message: described ?? 'is not allowed here' };
    case 'oneOf':
    case 'anyOf': {
      const branches = (resolveSchemaPath(schema, error.schemaPath) as unknown as Schema[] | undefined) ?? [];
      const requiredOnly = branches.every((b) => Array.isArray(b.required) && Object.keys(b).length === 1);
      if (requiredOnly) {
        const names = branches.map((b) => `"${(b.required as string[])[0]}"`);
        return { ...here, message: `needs ${error.keyword === 'oneOf' ? 'exactly' : 'at least'} one of ${names.join(' or ')}` };
      }
      return { ...here, message: described ? `must be ${described}` : 'does not match any allowed shape' };
    }
    default:
      return { ...here, message: error.message ?? `fails ${error.keyword}` };
  }
}

/** Drops errors that only restate others: failed `if`s, and branches of a choice that could not apply. */
function relevant(errors: ErrorObject[], schema: Schema, data: unknown): ErrorObject[] {
  const dropped = new Set<ErrorObject>();
  for (const error of errors) {
    if (error.keyword === 'if') dropped.add(error);
    // A missing or non-string tag is already reported by `required` or `type` on the step.
    if (error.keyword === 'discriminator' && (error.params as { error?: string }).error !== 'mapping') dropped.add(error);
    if (error.keyword !== 'anyOf' && error.keyword !== 'oneOf') continue;
    const branches = (resolveSchemaPath(schema, error.schemaPath) as unknown as Schema[] | undefined) ?? [];
    const value = valueAt(data, error.instancePath);
    const nested = errors.filter((e) => e !== error && e.schemaPath.startsWith(`${error.schemaPath}/`));
    const fitting = branches.map((b, i) => (branchAccepts(b, value) ? i : -1)).filter((i) => i >= 0);
    const keep = fitting.length === 1 ? nested.filter((e) => e.schemaPath.startsWith(`${error.schemaPath}/${fitting[0]}/`)) : [];
    for (const e of nested) if (!keep.includes(e)) dropped.add(e);
    if (keep.length > 0) dropped.add(error);
  }
  return errors.filter((e) => !dropped.has(e));
}

export function schemaDiagnostics(errors: ErrorObject[], schema: Schema, loaded: LoadedPlan): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const error of relevant(errors, schema, loaded.value)) {
    const { message, pointer, at } = sentence(error, schema, loaded.value);
    const key = `${pointer}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ file: loaded.file, ...loaded.locate(pointer, at), pointer, severity: 'error', code: `schema.${error.keyword}`, message });
  }
  return out;
}
