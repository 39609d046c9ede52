/**
 * What rds.readLicensing read on one host (its step's After), as the findings read it. It comes
 * from the host, so every part is read as possibly missing or of another shape.
 */
export interface LicensingFacts {
  licensingMode: { type: number; source: 'local' | 'policy' } | null;
  licenseServers: { servers: string[]; source: 'local' | 'policy' } | null;
  connectivity: { server: string; code: number | null; error: string }[];
  graceDays: { daysLeft: number | null; expired: boolean; error: string } | null;
  licensingService: { status: string; startMode: string } | null;
  events: { providerName: string; id: number; timeCreated: string; level: number; message: string }[];
  /** null: the host is no license server. */
  keyPacks: { productVersion: string; type: string; total: number; issued: number; available: number }[] | null;
  unread: string[];
}

type Raw = Record<string, unknown>;
const obj = (v: unknown): Raw | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Raw) : null);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const source = (v: unknown): 'local' | 'policy' => (v === 'policy' ? 'policy' : 'local');

export function readFacts(after: unknown): LicensingFacts {
  const a = obj(after) ?? {};
  const mode = obj(a.LicensingMode);
  const servers = obj(a.LicenseServers);
  const grace = obj(a.GraceDays);
  const service = obj(a.LicensingService);
  return {
    licensingMode: mode && num(mode.Type) !== null ? { type: num(mode.Type)!, source: source(mode.Source) } : null,
    licenseServers: servers ? { servers: list(servers.Servers).map(str).filter((s) => s !== ''), source: source(servers.Source) } : null,
    connectivity: list(a.Connectivity).map(obj).filter((c): c is Raw => c !== null).map((c) => ({ server: str(c.Server), code: num(c.Code), error: str(c.Error) })),
    graceDays: grace ? { daysLeft: num(grace.DaysLeft), expired: grace.Expired === true, error: str(grace.Error) } : null,
    licensingService: service ? { status: str(service.Status), startMode: str(service.StartMode) } : null,
    events: list(a.Events).map(obj).filter((e): e is Raw => e !== null).map((e) => ({ providerName: str(e.ProviderName), id: num(e.Id) ?? 0, timeCreated: str(e.TimeCreated), level: num(e.Level) ?? 0, message: str(e.Message) })),
    keyPacks: a.KeyPacks === null || a.KeyPacks === undefined ? null : list(a.KeyPacks).map(obj).filter((p): p is Raw => p !== null).map((p) => ({ productVersion: str(p.ProductVersion), type: str(p.Type), total: num(p.Total) ?? 0, issued: num(p.Issued) ?? 0, available: num(p.Available) ?? 0 })),
    unread: list(a.Unread).map(str).filter((u) => u !== ''),
  };
}
