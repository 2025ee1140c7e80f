// What a failover event did, in the one set of words every surface uses: the
// pool banner, the failover log, the email and the alert history, both
// members' activity and the API's human fields. They come from what the event
// recorded (its status and its DNS result), never from what a cut means to
// do, so that during an incident no page says DNS moved when it did not.
import type { FailoverEvent } from './store'

export type DnsRecordWritten = { name: string; type: string; ttl: number; values: string[] }

/** What a cut recorded about DNS. Older rows lack `outcome`; dnsOutcome() reads them too. */
export type DnsResult =
  | { outcome: 'moved'; provider: string; kind: string; zone: string; records: DnsRecordWritten[]; verified: true; term?: number | null }
  | { outcome: 'untouched'; why: 'no_provider' | 'no_hostname' | 'no_address' | 'unrecorded'; provider: string | null; verified?: false; term?: number | null }
  | { outcome: 'failed'; provider: string; error: string; verified?: false; term?: number | null; askedBy?: string; retryAfterSeconds?: number; nextTryAt?: string }

const REASONS: Record<string, string> = {
  initial: 'first active member',
  active_down: 'active member down',
  failback: 'failback',
  manual: 'made active by hand',
  no_healthy_standby: 'held back: no healthy standby',
  agent_silent_host_answers: 'held back: agent silent, host answers',
}

/** The reason column's words ("active member down"). */
export const reasonLabel = (reason: string) => REASONS[reason] ?? reason.replaceAll('_', ' ')

/** Reads a recorded DNS result, whatever release wrote it. */
export function dnsOutcome(raw: unknown): DnsResult | null {
  if (!raw || typeof raw !== 'object') return null
  const r = raw as Record<string, unknown>
  if (r.outcome === 'moved' || r.outcome === 'untouched' || r.outcome === 'failed') return r as DnsResult
  // Written before outcomes were recorded: verified records, or nothing written for one of several reasons it did not keep.
  if (r.verified === true) return { ...(r as object), outcome: 'moved' } as DnsResult
  if (typeof r.error === 'string') return { outcome: 'failed', provider: String(r.provider ?? 'the DNS provider'), error: r.error }
  return { outcome: 'untouched', why: 'unrecorded', provider: null }
}

const UNTOUCHED: Record<Extract<DnsResult, { outcome: 'untouched' }>['why'], (to: string) => string> = {
  no_provider: () => 'this pool has no DNS provider',
  no_hostname: () => 'no failover hostname is set',
  no_address: (to) => `${to} has no public IPv4 address to point the failover hostnames at`,
  unrecorded: () => 'there was no DNS provider, zone or address to write',
}

/** A provider's message inside a sentence of ours: without its own full stop. */
const clause = (text: string) => text.trim().replace(/\.+$/, '')

function recordsText(records: DnsRecordWritten[]): string {
  return records.map((r) => `${r.name} ${r.type} ${r.values.join(' ')}`).join(', ')
}

export type EventWords = {
  /** One line for the banner, the email subject, the alert history, the members' activity and the API `summary`. */
  summary: string
  /** DNS alone: the failover log's DNS column, the email's DNS line and the API `dnsSummary`. */
  dns: string
  /** Why the event happened, in words. */
  why: string
}

type Named = Pick<FailoverEvent, 'fromMemberId' | 'toMemberId' | 'reason' | 'status' | 'dnsResult' | 'lastError' | 'attempts' | 'requestedBy'>

/** The words for one event; `name` turns a member id into its name. */
export function describeEvent(e: Named, name: (id: string) => string): EventWords {
  const from = e.fromMemberId ? name(e.fromMemberId) : null
  const to = e.toMemberId ? name(e.toMemberId) : null
  const why = whyText(e, from)
  const dns = dnsOutcome(e.dnsResult)

  if (e.status === 'blocked') {
    const held = e.reason === 'agent_silent_host_answers' ? 'its agent is silent but the host still answers the probe' : 'no standby is healthy'
    if (e.reason === 'no_healthy_standby' || e.reason === 'agent_silent_host_answers') {
      return { summary: `${from ?? 'The active member'} stopped reporting and failover held back: ${held}. DNS not touched.`, dns: 'Not touched.', why }
    }
    // A cut that never finished: superseded, or its target removed.
    const error = dns?.outcome === 'failed' ? clause(dns.error) : null
    const failed = error ? ` Its last DNS write failed: ${error}.` : ''
    return { summary: `No change of active member${to ? ` to ${to}` : ''}: ${clause(e.lastError ?? 'the cut was given up')}.${failed}`, dns: error ? `Failed: ${error}.` : 'Not touched.', why }
  }

  if (e.status === 'pending') {
    const still = from ? `${from} is still the active member` : 'No member is active yet'
    if (e.lastError) {
      const wait = dns?.outcome === 'failed' ? waitText(dns) : ''
      return {
        summary: `${still}: moving DNS to ${to} failed (try ${e.attempts}): ${clause(e.lastError)}. ${wait || 'Retrying.'}`,
        dns: `Failed (try ${e.attempts}): ${clause(e.lastError)}.${wait ? ` ${wait}` : ''}`,
        why,
      }
    }
    return { summary: `${still}: a cut to ${to} is in progress, writing DNS records.`, dns: 'Being written.', why }
  }

  const changed = from ? `Active member changed from ${from} to ${to}` : `${to} became the active member`
  if (dns?.outcome === 'moved') {
    return { summary: `${changed}; DNS moved and verified.`, dns: `Moved and verified at ${dns.provider}${dns.records?.length ? `: ${recordsText(dns.records)}` : ''}.`, why }
  }
  if (dns?.outcome === 'untouched') {
    const because = UNTOUCHED[dns.why](to ?? 'the new member')
    return { summary: `${changed}; DNS not touched: ${because}.`, dns: `Not touched: ${because}.`, why }
  }
  // A finished cut with no DNS result recorded (rows older than DNS results).
  return { summary: `${changed}; no DNS result was recorded.`, dns: 'No result recorded.', why }
}

/** "Cloudflare asked to wait 300 s; next try at 12:05:00 UTC.": the wait the provider asked for, as recorded. */
function waitText(dns: Extract<DnsResult, { outcome: 'failed' }>): string {
  if (!dns.retryAfterSeconds || !dns.nextTryAt) return ''
  const at = new Date(dns.nextTryAt)
  if (Number.isNaN(at.getTime())) return ''
  return `${dns.askedBy ?? dns.provider} asked to wait ${dns.retryAfterSeconds} s; next try at ${at.toISOString().slice(11, 19)} UTC.`
}

function whyText(e: Named, from: string | null): string {
  switch (e.reason) {
    case 'initial':
      return 'it is the first healthy member in the failover order'
    case 'active_down':
      return `${from ?? 'the active member'} stopped reporting for longer than the failover delay`
    case 'failback':
      return 'the preferred member has been healthy long enough to take over again'
    case 'manual':
      return e.requestedBy ? `made active by hand by ${e.requestedBy}` : 'made active by hand'
    case 'no_healthy_standby':
      return `${from ?? 'the active member'} stopped reporting and no standby is healthy`
    case 'agent_silent_host_answers':
      return `${from ?? 'the active member'}'s agent is silent but the host still answers the probe`
    default:
      return reasonLabel(e.reason)
  }
}
