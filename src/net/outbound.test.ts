import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { addressKind, checkedAddresses, literalAddress, OutboundRefused, providerFetch, refusal, urlProblem, type AddressKind } from './outbound'

describe('addressKind', () => {
  const table: [string, AddressKind | null][] = [
    ['8.8.8.8', 'public'],
    ['192.0.2.10', 'public'],
    ['172.15.255.255', 'public'],
    ['172.32.0.1', 'public'],
    ['100.63.255.255', 'public'],
    ['100.128.0.1', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.5', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.255', 'shared'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['100.100.100.200', 'metadata'],
    ['168.63.129.16', 'metadata'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['2001:4860:4860::8888', 'public'],
    ['2606:4700::1111', 'public'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['fd00:ec2::254', 'metadata'],
    ['FD00:EC2:0::254', 'metadata'],
    ['fd00::1', 'private'],
    ['fc00::1', 'private'],
    ['fec0::1', 'private'],
    ['ff02::1', 'multicast'],
    // IPv4 inside IPv6: mapped (both spellings), compatible, NAT64.
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:0.0.0.0', 'unspecified'],
    ['::ffff:10.1.2.3', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['64:ff9b::808:808', 'public'],
    ['example.com', null],
    ['1.2.3', null],
    ['256.1.1.1', null],
    ['1::2::3', null],
    ['1:2:3:4:5:6:7:8:9', null],
  ]
  test.each(table)('%s is %s', (ip, kind) => {
    expect(addressKind(ip)).toBe(kind)
  })
})

describe('URL spellings that parse to a forbidden address', () => {
  const table: [string, string][] = [
    ['http://2130706433/', '127.0.0.1'],
    ['http://0x7f.1/', '127.0.0.1'],
    ['http://0177.0.0.1/', '127.0.0.1'],
    ['http://127.1:8081/', '127.0.0.1'],
    ['http://0xa9fea9fe/', '169.254.169.254'],
    ['http://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe'],
    ['http://[fd00:ec2::254]/', 'fd00:ec2::254'],
    ['http://0/', '0.0.0.0'],
    ['http://[::]/', '::'],
  ]
  test.each(table)('%s is refused as %s', async (url, ip) => {
    expect(literalAddress(new URL(url).hostname)).toBe(ip)
    expect(await urlProblem(url, { allowPrivate: false })).toContain(ip)
  })
})

describe('refusal', () => {
  test('private addresses pass only with the setting, and the message names it', () => {
    expect(refusal('10.0.0.5', false)).toBe('10.0.0.5 is a private network address. A DNS provider on a loopback or private address needs the server setting ALLOW_PRIVATE_PROVIDER_HOSTS=true.')
    expect(refusal('10.0.0.5', true)).toBeNull()
    expect(refusal('::1', true)).toBeNull()
    expect(refusal('100.64.1.1', true)).toBeNull()
    expect(refusal('fd12::1', true)).toBeNull()
  })

  test.each(['169.254.169.254', 'fe80::1', 'fd00:ec2::254', '0.0.0.0', '::', '::ffff:169.254.169.254', '100.100.100.200'])('%s is refused even with the setting', (ip) => {
    expect(refusal(ip, true)).toContain('never called there')
  })

  test('a resolved name says what it resolved to', () => {
    expect(refusal('127.0.0.1', false, 'pdns.lan')).toStartWith('pdns.lan resolves to 127.0.0.1, a loopback address')
  })

  test('public addresses pass', () => {
    expect(refusal('203.0.113.9', false)).toBeNull()
  })
})

describe('checkedAddresses', () => {
  test('every address a name resolves to must pass, not only the first', async () => {
    const lookup = async () => ['203.0.113.9', '169.254.169.254']
    const err = await checkedAddresses('pdns.example.com', { allowPrivate: true, lookup }).catch((e) => e)
    expect(err).toBeInstanceOf(OutboundRefused)
    expect(err.message).toContain('pdns.example.com resolves to 169.254.169.254')
  })

  test('localhost resolves to loopback and is refused without the setting', async () => {
    const err = await checkedAddresses('localhost', { allowPrivate: false }).catch((e) => e)
    expect(err).toBeInstanceOf(OutboundRefused)
    expect(err.message).toMatch(/localhost resolves to (127\.0\.0\.1|::1), a loopback address/)
  })

  test('a name that does not resolve passes a form check (the call reports it)', async () => {
    expect(await urlProblem('http://pdns.invalid:8081', { allowPrivate: false, lookup: async () => Promise.reject(Object.assign(new Error('x'), { code: 'ENOTFOUND' })) })).toBeNull()
  })
})

// Self-signed for pdns.example.test, valid until 2125.
const CERT = `-----BEGIN CERTIFICATE-----
MIIBrjCCAVOgAwIBAgIUa+pkt+TJXjVaVMRSNvRXcfRAC0kwCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRcGRucy5leGFtcGxlLnRlc3QwIBcNMjYxMjA2MjIzMTEyWhgP
MjEyNjExMTIyMjMxMTJaMBwxGjAYBgNVBAMMEXBkbnMuZXhhbXBsZS50ZXN0MFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEUgLzY4Cnzy1gnUN27vl8E47ZsbWttC6M
ggxS/M3EtKWdSIQTjZh6RfHibd60ruQY73+MbCueLdqtIUvVLNIqqqNxMG8wHQYD
VR0OBBYEFMAAnqCIbctB2nf1wRqbYuHeW5cgMB8GA1UdIwQYMBaAFMAAnqCIbctB
2nf1wRqbYuHeW5cgMA8GA1UdEwEB/wQFMAMBAf8wHAYDVR0RBBUwE4IRcGRucy5l
eGFtcGxlLnRlc3QwCgYIKoZIzj0EAwIDSQAwRgIhAMnuhDGLMslOmxftrvxHgwva
Xysf1Oft6f27CLPoQQrzAiEAjPZi6Q+uIxoTUW5uqL2mhzboQI1YHxCDaWMkzJv4
/No=
-----END CERTIFICATE-----`
const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgvMKAA4leo2pyAyC+
N0Rvz0kZifcLF2XTDx2wOGd6jxWhRANCAARSAvNjgKfPLWCdQ3bu+XwTjtmxta20
LoyCDFL8zcS0pZ1IhBONmHpF8eJt3rSu5Bjvf4xsK54t2q0hS9Us0iqq
-----END PRIVATE KEY-----`

describe('providerFetch', () => {
  let server: ReturnType<typeof Bun.serve>
  const seen: { path: string; host: string | null; key: string | null }[] = []
  beforeAll(() => {
    server = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch(req) {
        const path = new URL(req.url).pathname
        seen.push({ path, host: req.headers.get('host'), key: req.headers.get('x-api-key') })
        if (path === '/moved') return new Response('body with a secret', { status: 302, headers: { location: `http://127.0.0.1:${server.port}/elsewhere` } })
        return new Response('ok')
      },
    })
  })
  afterAll(() => server.stop(true))

  test('connects to the address it checked, with the Host header of the name', async () => {
    // The first lookup says a public address; were fetch to resolve again it would not reach the stand-in.
    const answers = [['127.0.0.1'], ['203.0.113.9']]
    const lookup = async () => answers.shift()!
    const res = await providerFetch(`http://pdns.example.test:${server.port}/zones`, {}, { allowPrivate: true, lookup })
    expect(await res.text()).toBe('ok')
    expect(seen.at(-1)).toMatchObject({ path: '/zones', host: `pdns.example.test:${server.port}` })
  })

  test('an address that refuses the connection is passed over for the next checked one', async () => {
    // The stand-in listens on 127.0.0.1 only: nothing answers on ::1 at its port.
    const lookup = async () => ['::1', '127.0.0.1']
    const res = await providerFetch(`http://pdns.example.test:${server.port}/zones`, {}, { allowPrivate: true, lookup }).catch((e) => e)
    expect(res instanceof Response ? await res.text() : String(res)).toBe('ok')
  })

  test('a name that now resolves to a forbidden address is not called', async () => {
    const before = seen.length
    const err = await providerFetch(`http://pdns.example.test:${server.port}/zones`, {}, { allowPrivate: false, lookup: async () => ['127.0.0.1'] }).catch((e) => e)
    expect(err).toBeInstanceOf(OutboundRefused)
    expect(seen.length).toBe(before)
  })

  test('https to a pinned address still verifies the certificate against the name', async () => {
    const tls = Bun.serve({ hostname: '127.0.0.1', port: 0, tls: { cert: CERT, key: KEY }, fetch: (req) => new Response(`tls ${req.headers.get('host')}`) })
    try {
      const lookup = async () => ['127.0.0.1']
      const init = { tls: { ca: CERT } } as RequestInit
      const res = await providerFetch(`https://pdns.example.test:${tls.port}/`, init, { allowPrivate: true, lookup })
      expect(await res.text()).toBe(`tls pdns.example.test:${tls.port}`)
      const wrong = await providerFetch(`https://other.example.test:${tls.port}/`, init, { allowPrivate: true, lookup }).catch((e) => e)
      expect(wrong.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID')
    } finally {
      tls.stop(true)
    }
  })

  test('a redirect is refused with its status and not followed', async () => {
    const before = seen.length
    const err = await providerFetch(`http://127.0.0.1:${server.port}/moved`, { headers: { 'x-api-key': 'k' } }, { allowPrivate: true }).catch((e) => e)
    expect(err).toBeInstanceOf(OutboundRefused)
    expect(err.message).toContain('redirect (302)')
    expect(err.message).not.toContain('secret')
    expect(seen.slice(before).map((s) => s.path)).toEqual(['/moved'])
  })
})
