/**
 * A step's before and after as an administrator reads them: one `Label: before → after` line
 * per property that differs (equal properties are noise: a restart's service is Running before
 * and after), SIDs and licensing modes named (src/shared/names.ts), SDDL split into owner,
 * group and access. `--format json` keeps the raw values; this is for people only.
 */
import { licensingModeName, nameSids, sidName } from '../../shared/names.js';

const ARROW = '→';

/** Binary registry data as hex is unreadable past a few bytes; its size says more (a sha256 stays whole: it is compared). */
const LONG_HEX = /^(?:[0-9a-f]{2}){24,}$/i;

type Bag = Record<string, unknown>;
const isBag = (v: unknown): v is Bag => v !== null && typeof v === 'object' && !Array.isArray(v);
const absent = (v: unknown) => v === undefined || v === null;

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const isLicensingKey = (key: string) => /^Licensing(Type|Mode)$/i.test(key);
const isSddlKey = (key: string) => /sddl$/i.test(key) && !/file$/i.test(key);

/** `DaysLeft` → `Days left`, `OriginalSddl` → `Original SDDL`, `LicensingType` → `Licensing mode`. */
export function label(key: string): string {
  if (isLicensingKey(key)) return 'Licensing mode';
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(' ');
  return words.map((w, i) => (/^sddl$/i.test(w) ? 'SDDL' : i === 0 ? w : w.toLowerCase())).join(' ');
}

/** One value in words: the key decides how a number or a string is named. */
export function formatValue(value: unknown, key = ''): string {
  if (absent(value)) return '(none)';
  if (typeof value === 'number' && isLicensingKey(key)) return licensingModeName(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') {
    if (isSddlKey(key)) return sddlSummary(value);
    if (key === 'Data' && LONG_HEX.test(value)) return `${value.slice(0, 16)}… (${value.length / 2} bytes)`;
    return nameSids(value);
  }
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.map((item) => formatValue(item, key)).join(', ');
  if (isBag(value)) {
    // A registry value ({Name, Type, Data}) reads as the line regedit shows.
    if (typeof value.Name === 'string' && ('Type' in value || 'Data' in value)) {
      return `${value.Name}${value.Type !== undefined ? ` (${String(value.Type)})` : ''}${'Data' in value ? ` = ${formatValue(value.Data, 'Data')}` : ''}`;
    }
    return Object.entries(value)
      .map(([k, v]) => `${label(k)}: ${formatValue(v, k)}`)
      .join(', ');
  }
  return String(value);
}

/** The lines for one step: changed properties, or the state itself when one side is missing. */
export function changeLines(before: unknown, after: unknown): string[] {
  if (absent(before) && absent(after)) return [];
  if (absent(before) || absent(after)) {
    // A read (nothing before) or a failed step (nothing after): the state there is.
    const state = absent(before) ? after : before;
    return isBag(state) ? Object.entries(state).map(([k, v]) => `${label(k)}: ${formatValue(v, k)}`) : [formatValue(state)];
  }
  if (!isBag(before) || !isBag(after)) return same(before, after) ? [] : [`${formatValue(before)} ${ARROW} ${formatValue(after)}`];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const lines = keys.flatMap((key) => propertyLines(key, before[key], after[key]));
  // takeOwnership and restoreSecurity report the owner and the SDDL holding it: one line says it.
  return lines.filter((line) => {
    const owner = /^.*SDDL owner: (.*)$/.exec(line);
    return !owner || !lines.includes(`Owner: ${owner[1]}`);
  });
}

function propertyLines(key: string, before: unknown, after: unknown): string[] {
  // An after states only what it knows (a check's prediction names what the step sets): a key it lacks is not a removal.
  if (after === undefined || same(before, after)) return [];
  if (isSddlKey(key) && typeof before === 'string' && typeof after === 'string') return sddlChange(label(key), before, after);
  return [`${label(key)}: ${formatValue(before, key)} ${ARROW} ${formatValue(after, key)}`];
}

interface Sddl {
  owner?: string;
  group?: string;
  access: string[];
}

/** The access rights registry ACEs use, in the words of regedit's Permissions dialog. */
const KEY_RIGHTS: Readonly<Record<string, string>> = { KA: 'Full Control', GA: 'Full Control', KR: 'Read', GR: 'Read' };

function parseSddl(text: string): Sddl | null {
  const match = /^(?:O:([A-Z]{2}|S-1-[\d-]+))?(?:G:([A-Z]{2}|S-1-[\d-]+))?(?:D:([A-Z]*)((?:\([^()]*\))*))?(?:S:.*)?$/.exec(text);
  if (!match) return null;
  const access = [...(match[4] ?? '').matchAll(/\(([^()]*)\)/g)].map(([, ace]) => {
    const [type = '', flags = '', rights = '', , , sid = ''] = ace!.split(';');
    const verb = type === 'A' ? 'allow' : type === 'D' ? 'deny' : type;
    const words = KEY_RIGHTS[rights] ? `${KEY_RIGHTS[rights]} (${rights})` : rights;
    return `${verb} ${sidName(sid)} ${words}${flags.includes('CI') ? '' : ' (this key only)'}`;
  });
  return { ...(match[1] ? { owner: sidName(match[1]) } : {}), ...(match[2] ? { group: sidName(match[2]) } : {}), access };
}

function sddlSummary(text: string): string {
  const sddl = parseSddl(text);
  if (!sddl) return nameSids(text);
  return [sddl.owner && `owner ${sddl.owner}`, sddl.group && `group ${sddl.group}`, sddl.access.length > 0 && `access ${sddl.access.join(', ')}`].filter(Boolean).join('; ');
}

function sddlChange(name: string, before: string, after: string): string[] {
  const b = parseSddl(before);
  const a = parseSddl(after);
  if (!b || !a) return [`${name}: ${nameSids(before)} ${ARROW} ${nameSids(after)}`];
  const lines: string[] = [];
  if (b.owner !== a.owner) lines.push(`${name} owner: ${b.owner ?? '(none)'} ${ARROW} ${a.owner ?? '(none)'}`);
  if (b.group !== a.group) lines.push(`${name} group: ${b.group ?? '(none)'} ${ARROW} ${a.group ?? '(none)'}`);
  const removed = b.access.filter((ace) => !a.access.includes(ace));
  const added = a.access.filter((ace) => !b.access.includes(ace));
  if (removed.length + added.length > 0) lines.push(`${name} access: ${removed.join(', ') || '(none)'} ${ARROW} ${added.join(', ') || '(none)'}`);
  // Only the ACE order or the DACL flags moved: say so rather than print nothing.
  return lines.length > 0 ? lines : [`${name}: ${before} ${ARROW} ${after}`];
}
