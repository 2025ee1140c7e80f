import { describe, expect, test } from 'bun:test'
import { clientIp } from './client-ip'

const server = (address: string) => ({ requestIP: () => ({ address }) })
const req = (xff?: string) => new Request('http://localhost/', { headers: xff ? { 'x-forwarded-for': xff } : {} })

describe('clientIp', () => {
  test.each([
    ['the peer when no proxy is trusted', '203.0.113.9', '1.2.3.4', [], '203.0.113.9'],
    ['the peer when the peer is not a trusted proxy', '203.0.113.9', '1.2.3.4', ['10.0.0.1'], '203.0.113.9'],
    ['the forwarded client behind a trusted proxy', '10.0.0.1', '198.51.100.7', ['10.0.0.1'], '198.51.100.7'],
    ['the last untrusted hop, not a spoofed first one', '10.0.0.1', '6.6.6.6, 198.51.100.7', ['10.0.0.1'], '198.51.100.7'],
    ['the client behind two trusted proxies', '10.0.0.1', '198.51.100.7, 10.0.0.2', ['10.0.0.1', '10.0.0.2'], '198.51.100.7'],
    ['an IPv4 address mapped into IPv6 as plain IPv4', '::ffff:203.0.113.9', undefined, [], '203.0.113.9'],
  ] as const)('it gives %s', (_label, peer, xff, trust, expected) => {
    expect(clientIp(req(xff), server(peer), [...trust])).toBe(expected)
  })

  test('it gives null without a server handle', () => {
    expect(clientIp(req(), null, [])).toBeNull()
  })
})
