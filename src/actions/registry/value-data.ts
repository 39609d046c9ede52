import { scriptText } from '../../shared/schema-fragments.js';

/**
 * Registry value types and the shape of their data in a plan, and the canonical form the
 * templates, the simulated host and the results protocol share (ps-templates/README.md).
 */
export const VALUE_TYPES = ['String', 'ExpandString', 'MultiString', 'DWord', 'QWord', 'Binary'] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

const QWORD_MAX = 18446744073709551615n;

const dataSchemas: Record<ValueType, unknown> = {
  String: { ...scriptText, description: 'a string without control characters' },
  ExpandString: { ...scriptText, description: 'a string without control characters; %VARIABLES% expand when read' },
  MultiString: { type: 'array', maxItems: 1024, items: { ...scriptText, minLength: 1, description: 'a non-empty string without control characters' } },
  DWord: { type: 'integer', minimum: 0, maximum: 4294967295, description: 'an integer from 0 to 4294967295' },
  QWord: {
    anyOf: [
      { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
      { type: 'string', pattern: '^(?:0|[1-9][0-9]{0,19}|0x[0-9A-Fa-f]{1,16})$' },
    ],
    description: 'an integer from 0 to 18446744073709551615; above 9007199254740991 write it as a string ("18446744073709551615" or "0xffffffffffffffff")',
  },
  Binary: {
    type: 'string',
    maxLength: 65536,
    pattern: '^(?:[0-9A-Fa-f]{2}(?:[ ,]?[0-9A-Fa-f]{2})*)?$',
    description: 'hex bytes such as "0a1b2c" or "0a,1b,2c"',
  },
};

/** One if/then per type, so that ajv reports the data error of the type that was chosen. */
export const dataConditions = VALUE_TYPES.map((type) => ({
  if: { properties: { type: { const: type } }, required: ['type'] },
  then: { properties: { data: dataSchemas[type] } },
}));

export type CanonicalData = string | number | string[];

/** Reduces valid plan data to the canonical form; throws on a QWord beyond 64 bits. */
export function canonicalData(type: ValueType, data: unknown): CanonicalData {
  switch (type) {
    case 'String':
    case 'ExpandString':
      return String(data);
    case 'MultiString':
      return (data as unknown[]).map(String);
    case 'DWord':
      return Number(data);
    case 'QWord': {
      const value = BigInt(data as string | number);
      if (value > QWORD_MAX) throw new RangeError('a QWord holds at most 18446744073709551615 (0xffffffffffffffff)');
      return value.toString();
    }
    case 'Binary':
      return String(data).replace(/[ ,]/g, '').toLowerCase();
  }
}

export function formatData(type: ValueType, data: CanonicalData): string {
  if (Array.isArray(data)) return `[${data.map((item) => JSON.stringify(item)).join(', ')}]`;
  if (type === 'Binary') return `hex ${String(data).length / 2} bytes ${String(data).slice(0, 32)}${String(data).length > 32 ? '…' : ''}`;
  if (type === 'DWord' || type === 'QWord') return String(data);
  return JSON.stringify(data);
}
