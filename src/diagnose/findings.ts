import { CONNECTIVITY, connectivityName, licensingTypeName, VALID_CONNECTIVITY } from './codes.js';
import type { LicensingFacts } from './facts.js';

/** One thing a diagnosis found: how bad, in one sentence, and what repairs it (naming the preset where there is one). */
export interface Finding {
  code: string;
  severity: 'error' | 'warning' | 'info';
  text: string;
  fix: string;
}

/** What a rule sees: the facts and what the host is, worked out once. */
interface Host {
  facts: LicensingFacts;
  /** A session host: a licensing type other than remote administration (0, 1) and the setting read. */
  sessionHost: boolean;
  licenseServer: boolean;
  /** At least one configured license server answers as valid. */
  reachableServer: boolean;
}

type Rule = (host: Host) => Finding[];

const CONFIGURE = 'rds.configureLicensing (servers and mode)';
/** Below this many days a host without a reachable license server is warned (rds.resetGracePeriod's threshold). */
const GRACE_WARNING_DAYS = 30;

const unread: Rule = ({ facts }) =>
  facts.unread.map((part) => ({ code: 'unread', severity: 'warning', text: `could not read ${part}`, fix: 'run the diagnosis from an elevated PowerShell on the host, or on the host the part belongs to' }));

const licensingMode: Rule = ({ facts, sessionHost }) => {
  const mode = facts.licensingMode;
  if (!mode) return [];
  if (!sessionHost) return [{ code: 'not-a-session-host', severity: 'info', text: `the licensing mode is ${licensingTypeName(mode.type)}: this host is no RD Session Host, so the session host checks do not apply`, fix: 'nothing to do' }];
  if ([2, 4, 6].includes(mode.type)) return [];
  return [{ code: 'licensing-mode', severity: 'error', text: `the licensing mode is ${licensingTypeName(mode.type)}: when the grace period ends the session host refuses connections (event 1069)`, fix: mode.source === 'policy' ? 'set "Set the Remote Desktop licensing mode" in the Group Policy that configures it' : `${CONFIGURE}, mode perDevice or perUser as the CALs bought` }];
};

const licenseServers: Rule = ({ facts, sessionHost }) =>
  sessionHost && facts.licenseServers && facts.licenseServers.servers.length === 0
    ? [{ code: 'no-license-server', severity: 'error', text: 'no license server is configured: the session host cannot get CALs for its clients (events 50280/50282 on 2019+)', fix: CONFIGURE }]
    : [];

const OLD_SERVER = `a Windows Server 2008 (R2) license server issues no CALs for a later session host: point the host at a current one with ${CONFIGURE}`;
const CONNECTIVITY_FIX: Readonly<Record<number, string>> = {
  1: OLD_SERVER,
  2: OLD_SERVER,
  5: 'add this session host to the Terminal Server Computers group on the license server',
  6: `check the name, DNS, the firewall (RPC) and that TermServLicensing runs on that server; or point the host at a reachable one with ${CONFIGURE}`,
  8: 'run as an account with administrator rights on the license server',
};

const connectivity: Rule = ({ facts, sessionHost }) =>
  !sessionHost
    ? []
    : facts.connectivity.flatMap((c): Finding[] => {
        if (c.code === null) return [{ code: 'connectivity-unread', severity: 'warning', text: `${c.server}: GetTStoLSConnectivityStatus could not be read${c.error ? `: ${c.error}` : ''}`, fix: 'read it again from an elevated PowerShell on the session host' }];
        if (VALID_CONNECTIVITY.has(c.code)) return [];
        return [{ code: 'license-server-unusable', severity: 'error', text: `${c.server}: ${connectivityName(c.code)}: ${CONNECTIVITY[c.code]?.text ?? 'a code Microsoft does not list'}`, fix: CONNECTIVITY_FIX[c.code] ?? `check the license server, or point the host at another with ${CONFIGURE}` }];
      });

const graceDays: Rule = ({ facts, sessionHost, reachableServer }) => {
  const grace = facts.graceDays;
  if (!sessionHost || reachableServer || !grace) return [];
  const fix = `configure a reachable license server with CALs (${CONFIGURE}); rds.resetGracePeriod only buys time`;
  if (grace.expired) return [{ code: 'grace-expired', severity: 'error', text: 'the grace period has expired and no license server answers: the session host refuses new connections', fix }];
  if (grace.daysLeft !== null && grace.daysLeft < GRACE_WARNING_DAYS) return [{ code: 'grace-ending', severity: 'warning', text: `the grace period ends in ${grace.daysLeft} day(s) and no license server answers`, fix }];
  return [];
};

const licensingService: Rule = ({ facts, licenseServer }) => {
  const service = facts.licensingService;
  if (!licenseServer || !service || (service.status === 'Running' && service.startMode !== 'Disabled')) return [];
  return [{ code: 'licensing-service', severity: 'error', text: `TermServLicensing is ${service.status} (${service.startMode}) on a license server: it issues no CALs`, fix: 'service.setStartMode TermServLicensing Automatic, then service.start TermServLicensing (the reverse of rds.disableLicensingService)' }];
};

/** DOMAIN.md, "Events worth reading after a change". */
const EVENTS: Readonly<Record<number, Omit<Finding, 'code' | 'text'> & { what: string }>> = {
  1069: { severity: 'error', what: 'the grace period has expired and the licensing mode is not configured', fix: CONFIGURE },
  1028: { severity: 'warning', what: 'a client\'s license could not be renewed', fix: 'rds.clearClientLicenseCache on the client the event names' },
  1004: { severity: 'error', what: 'the session host could not issue a license', fix: `${CONFIGURE}: a reachable license server with CALs of this session host's version` },
  50280: { severity: 'warning', what: 'no license server is specified', fix: CONFIGURE },
  50282: { severity: 'warning', what: 'no license server is specified', fix: CONFIGURE },
  18: { severity: 'error', what: 'the license server is not activated', fix: 'activate it in RD Licensing Manager (no preset does this)' },
  21: { severity: 'error', what: 'the license server has no permanent CALs left', fix: 'install CALs, or free per-device CALs with rds.transferDeviceCal' },
};

const events: Rule = ({ facts }) => {
  const byId = new Map<number, { count: number; last: string }>();
  for (const e of facts.events) {
    const seen = byId.get(e.id) ?? { count: 0, last: '' };
    byId.set(e.id, { count: seen.count + 1, last: e.timeCreated > seen.last ? e.timeCreated : seen.last });
  }
  return [...byId.entries()]
    .sort(([a], [b]) => a - b)
    .flatMap(([id, { count, last }]) => {
      const known = EVENTS[id];
      return known ? [{ code: `event-${id}`, severity: known.severity, text: `event ${id}: ${known.what} (${count} time(s), last ${last})`, fix: known.fix }] : [];
    });
};

const cals: Rule = ({ facts }) => {
  if (facts.keyPacks === null) return [];
  if (facts.keyPacks.length === 0) return [{ code: 'no-cal-packs', severity: 'warning', text: 'the license server has no CAL packs installed', fix: 'install the CALs bought in RD Licensing Manager' }];
  const totals = new Map<string, { total: number; available: number }>();
  for (const p of facts.keyPacks) {
    const key = `${p.productVersion} ${p.type}`;
    const t = totals.get(key) ?? { total: 0, available: 0 };
    totals.set(key, { total: t.total + p.total, available: t.available + p.available });
  }
  return [...totals.entries()]
    .filter(([, t]) => t.total > 0 && t.available === 0)
    .map(([key, t]) => ({ code: 'no-cals-available', severity: 'warning' as const, text: `${key}: all ${t.total} CAL(s) are issued`, fix: 'install more CALs, or free per-device CALs of computers that left with rds.transferDeviceCal' }));
};

const setByPolicy: Rule = ({ facts, sessionHost }) => {
  if (!sessionHost) return [];
  const parts = [facts.licensingMode?.source === 'policy' ? 'the licensing mode' : '', facts.licenseServers?.source === 'policy' ? 'the license servers' : ''].filter(Boolean);
  return parts.length === 0 ? [] : [{ code: 'set-by-policy', severity: 'info', text: `${parts.join(' and ')} come from Group Policy: a local change is overwritten at the next refresh`, fix: 'change the Group Policy, or rds.configureLicensing with via "policy" on a host outside its scope' }];
};

/** Every rule, in the order their findings are shown; the core below names none. */
const RULES: readonly Rule[] = [unread, licensingMode, licenseServers, connectivity, graceDays, licensingService, events, cals, setByPolicy];

export function findingsOf(facts: LicensingFacts): Finding[] {
  const host: Host = {
    facts,
    sessionHost: facts.licensingMode !== null && facts.licensingMode.type !== 0 && facts.licensingMode.type !== 1,
    licenseServer: facts.keyPacks !== null,
    reachableServer: facts.connectivity.some((c) => c.code !== null && VALID_CONNECTIVITY.has(c.code)),
  };
  return RULES.flatMap((rule) => rule(host));
}

/** Errors and warnings are findings an administrator acts on; info is context. */
export const actionable = (findings: readonly Finding[]): Finding[] => findings.filter((f) => f.severity !== 'info');
