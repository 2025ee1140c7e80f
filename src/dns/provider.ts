// What failover needs from a DNS provider, whichever it is. One adapter per
// kind (powerdns.ts, cloudflare.ts, whm.ts) implements it.

export type RecordType = 'A' | 'AAAA' | 'MX' | 'SRV'

/** One record set: every value of one name and type. Names are absolute, without the trailing dot. */
export type RecordSet = {
  name: string
  type: RecordType
  ttl: number
  /** A/AAAA: an address. MX: "10 mail.example.com". SRV: "10 5 5060 sip.example.com". */
  values: string[]
  /** Cloudflare only: whether the record is proxied; kept as it was when records are replaced. */
  proxied?: boolean
}

export type ZoneInfo = { name: string; id: string }

/** What Managed DNS copies from WHM to a linked provider: the cut types, and CNAME and TXT beside them. */
export type ZoneRecordType = RecordType | 'CNAME' | 'TXT'

/** A record set of any type Managed DNS copies. CNAME: "target.example.com". TXT: the text, unquoted. */
export type ZoneRecordSet = Omit<RecordSet, 'type'> & { type: ZoneRecordType }

export interface DnsProvider {
  /** Zones this key can see ("Test connection" lists them). */
  listZones(): Promise<ZoneInfo[]>
  /** The record set at name/type in zone, or null when there is none. */
  readRecords(zone: string, name: string, type: RecordType): Promise<RecordSet | null>
  /** Replaces the record set at name/type with these values (creating it if needed). */
  writeRecords(zone: string, set: RecordSet): Promise<void>
  /**
   * Every A, AAAA, MX, SRV, CNAME and TXT set of the zone in one read (Managed
   * DNS compares whole zones); adapters without it are read name by name.
   */
  listRecords?(zone: string): Promise<ZoneRecordSet[]>
}

/** A refusal or failure from a provider, with a sentence an operator can act on. */
export class DnsProviderError extends Error {
  constructor(
    message: string,
    public retryable: boolean,
    /** Set when the provider said how long to wait (Retry-After): an earlier try is refused too. */
    public retryAfterSeconds?: number,
  ) {
    super(message)
  }
}

const KINDS = { powerdns: 'PowerDNS', cloudflare: 'Cloudflare', whm: 'WHM DNS' } as const
/** The name a person knows a provider kind by. */
export const kindLabel = (kind: string) => KINDS[kind as keyof typeof KINDS] ?? kind

export type PowerDnsSettings = { kind: 'powerdns'; apiUrl: string; apiKey: string; serverId: string }
export type CloudflareSettings = { kind: 'cloudflare'; apiToken: string }
export type WhmSettings = { kind: 'whm'; host: string; username: string; apiToken: string }
export type ProviderSettings = PowerDnsSettings | CloudflareSettings | WhmSettings
