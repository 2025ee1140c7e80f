import { describe, expect, test } from 'bun:test'
import { describeEvent, dnsOutcome } from './words'

const names: Record<string, string> = { mem_a: 'web-1', mem_b: 'web-2' }
const name = (id: string) => names[id] ?? id
const done = { fromMemberId: 'mem_a', toMemberId: 'mem_b', reason: 'active_down', status: 'done' as const, lastError: null, attempts: 1, requestedBy: null }

describe('the words of a failover event', () => {
  test.each([
    [
      'moved and read back',
      { outcome: 'moved', provider: 'Office PowerDNS', kind: 'powerdns', zone: 'example.test', records: [{ name: 'www.example.test', type: 'A', ttl: 60, values: ['192.0.2.20'] }], verified: true },
      'Active member changed from web-1 to web-2; DNS moved and verified.',
      'Moved and verified at Office PowerDNS: www.example.test A 192.0.2.20.',
    ],
    ['no provider', { outcome: 'untouched', why: 'no_provider', provider: null }, 'Active member changed from web-1 to web-2; DNS not touched: this pool has no DNS provider.', 'Not touched: this pool has no DNS provider.'],
    // Rows written before outcomes were recorded.
    ['an old "no provider or hostname" row', { provider: null, note: 'No DNS provider or hostname: the active member is tracked, no record changed.' }, 'Active member changed from web-1 to web-2; DNS not touched: there was no DNS provider, zone or address to write.', 'Not touched: there was no DNS provider, zone or address to write.'],
    ['an old verified row', { provider: 'P', kind: 'powerdns', zone: 'example.test', records: [], verified: true }, 'Active member changed from web-1 to web-2; DNS moved and verified.', 'Moved and verified at P.'],
    ['nothing recorded', null, 'Active member changed from web-1 to web-2; no DNS result was recorded.', 'No result recorded.'],
  ])('a finished cut, %s', (_label, dnsResult, summary, dns) => {
    const words = describeEvent({ ...done, dnsResult: dnsResult as Record<string, unknown> | null }, name)
    expect(words.summary).toBe(summary)
    expect(words.dns).toBe(dns)
    expect(words.why).toBe('web-1 stopped reporting for longer than the failover delay')
  })

  test('a cut still trying says who is still active and quotes the provider once, without a doubled full stop', () => {
    const words = describeEvent(
      { ...done, status: 'pending', attempts: 3, lastError: 'PowerDNS refused the API key.', dnsResult: { outcome: 'failed', provider: 'P', error: 'PowerDNS refused the API key.' } },
      name,
    )
    expect(words.summary).toBe('web-1 is still the active member: moving DNS to web-2 failed (try 3): PowerDNS refused the API key. Retrying.')
    expect(words.dns).toBe('Failed (try 3): PowerDNS refused the API key.')
  })

  test('a hold-back names the silent member and says DNS was not touched', () => {
    const words = describeEvent({ ...done, toMemberId: null, reason: 'no_healthy_standby', status: 'blocked', dnsResult: null }, name)
    expect(words.summary).toBe('web-1 stopped reporting and failover held back: no standby is healthy. DNS not touched.')
  })

  test('the first activation by hand says who did it', () => {
    const words = describeEvent({ ...done, fromMemberId: null, toMemberId: 'mem_a', reason: 'manual', requestedBy: 'ops@example.com', dnsResult: { outcome: 'untouched', why: 'no_provider', provider: null } }, name)
    expect(words.summary).toBe('web-1 became the active member; DNS not touched: this pool has no DNS provider.')
    expect(words.why).toBe('made active by hand by ops@example.com')
  })

  test('an unknown shape is read as untouched, never as moved', () => {
    expect(dnsOutcome({ provider: 'P' })).toMatchObject({ outcome: 'untouched' })
    expect(dnsOutcome('garbage')).toBeNull()
  })
})
