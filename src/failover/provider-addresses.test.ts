// Security review, finding 3: a DNS provider's address must not let a user
// point the server, with the provider's key in the header, at cloud metadata,
// this server or a private network; nor at Cloudflare stand-ins of their own.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { members } from '../db/schema'
import { newId } from '../crypto/tokens'
import { insertProvider } from '../dns/store'
import { start as startCloudflare, type CloudflareStandin } from '../testing/standins/cloudflare'
import { testServer, visibleText, type Browser, type TestServer } from '../testing/harness'

const KEY = 'pdns-key-that-must-stay-home'

type Seen = { path: string; key: string | null; auth: string | null }

/** A PowerDNS-like API that records every request it gets. */
function recorder(hostname = '127.0.0.1') {
  const seen: Seen[] = []
  const server = Bun.serve({
    hostname,
    port: 0,
    fetch(req) {
      seen.push({ path: new URL(req.url).pathname, key: req.headers.get('x-api-key'), auth: req.headers.get('authorization') })
      return Response.json([{ id: 'example.test.', name: 'example.test.' }])
    },
  })
  return { seen, url: `http://${hostname}:${server.port}`, port: server.port, stop: () => server.stop(true) }
}

async function addPool(s: TestServer, name: string) {
  const poolId = (await s.api('POST', '/api/v1/pools', { name, preset: 'generic' })).json.id as string
  for (const [id, ip] of [['a', '192.0.2.10'], ['b', '192.0.2.20']] as const) {
    await s.db.insert(members).values({ id: `${poolId}_${id}`, poolId, name: id, hostname: `${id}.example.test`, egressIps: ['127.0.0.1'], publicIpv4: ip, lastHeartbeatAt: new Date(), healthySince: new Date(Date.now() - 3_600_000) })
  }
  return poolId
}

/** A provider row as an older version, or a name that resolved elsewhere when saved, left it. */
async function storedProvider(s: TestServer, poolId: string, kind: 'powerdns' | 'cloudflare' | 'whm', settings: Record<string, string>, secret = KEY) {
  const row = await insertProvider(s.db, { id: newId('dns'), poolId, kind, name: `stored ${kind}`, settings, secretSealed: s.deps.secrets.seal(secret), secretLastFour: secret.slice(-4), isGlobal: false })
  return row.id
}

/** Points failover at a provider and makes the first member active: a DNS write. */
async function makeActiveThrough(s: TestServer, poolId: string, providerId: string) {
  const put = await s.api('PUT', `/api/v1/pools/${poolId}/failover`, { enabled: true, hostname: 'www.example.test', zone: 'example.test', providerId, memberOrder: [`${poolId}_a`, `${poolId}_b`] })
  expect(put.status).toBe(200)
  return s.api('POST', `/api/v1/pools/${poolId}/failover/make-active`, { memberId: `${poolId}_a` })
}

describe('with ALLOW_PRIVATE_PROVIDER_HOSTS off', () => {
  let s: TestServer
  let b: Browser
  let cf: CloudflareStandin
  let pdns: ReturnType<typeof recorder>
  let poolId: string

  beforeAll(async () => {
    pdns = recorder()
    cf = await startCloudflare()
    cf.state.tokens = new Set(['cf-token-1234'])
    cf.state.addZone('example.test')
    s = await testServer({ env: { ALLOW_PRIVATE_PROVIDER_HOSTS: 'false', CLOUDFLARE_API_URL: cf.url } })
    b = await s.browser().signIn()
    poolId = await addPool(s, 'Off')
  })
  afterAll(async () => {
    await s?.close()
    await cf?.stop()
    pdns?.stop()
  })

  const cases: [string, string, string][] = [
    ['loopback', '', 'is a loopback address (this server itself). A DNS provider on a loopback or private address needs the server setting ALLOW_PRIVATE_PROVIDER_HOSTS=true.'],
    ['metadata', 'http://169.254.169.254/', '169.254.169.254 is a link-local address, where cloud servers answer metadata requests. DNS providers are never called there'],
    ['AWS IPv6 metadata', 'http://[fd00:ec2::254]/', 'fd00:ec2::254 is a cloud metadata address'],
    ['decimal loopback', 'http://2130706433/', '127.0.0.1 is a loopback address'],
    ['hex loopback', 'http://0x7f.1:8081/', '127.0.0.1 is a loopback address'],
    ['mapped metadata', 'http://[::ffff:169.254.169.254]/', 'is a link-local address'],
    ['any address', 'http://0.0.0.0:8081/', '0.0.0.0 is the "any" address'],
    ['private network', 'http://10.1.2.3:8081/', '10.1.2.3 is a private network address'],
    ['localhost by name', 'localhost', 'localhost resolves to'],
  ]
  test.each(cases)('adding a PowerDNS provider at a %s address is refused, says why, and stores nothing', async (_label, url, message) => {
    const apiUrl = url === '' ? pdns.url : url === 'localhost' ? `http://localhost:${pdns.port}` : url
    const res = await s.api('POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'powerdns', name: 'P', apiUrl, apiKey: KEY })
    expect(res.status).toBe(422)
    expect(res.json.error.message).toContain(message)
    expect((await s.api('GET', `/api/v1/pools/${poolId}/dns-providers`)).json).toEqual([])
    expect(pdns.seen).toEqual([])
  })

  test('a WHM host on this server or at the metadata address is refused too', async () => {
    for (const host of ['127.0.0.1', '169.254.169.254:2087', `http://localhost:${pdns.port}`]) {
      const res = await s.api('POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'whm', name: 'W', host, username: 'root', apiToken: KEY })
      expect(res.status).toBe(422)
      expect(res.json.error.message).toMatch(/loopback|link-local/)
    }
    expect((await s.api('GET', `/api/v1/pools/${poolId}/dns-providers`)).json).toEqual([])
  })

  test('a Cloudflare provider with a baseUrl is refused with a reason', async () => {
    const res = await s.api('POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'cloudflare', name: 'CF', apiToken: 'cf-token-1234', baseUrl: pdns.url })
    expect(res.status).toBe(422)
    expect(res.json.error.message).toBe("baseUrl is no longer accepted: serversctl always calls Cloudflare's own API")
    expect((await s.api('GET', `/api/v1/pools/${poolId}/dns-providers`)).json).toEqual([])
  })

  test('the form shows the refusal next to the API URL field, and next to the WHM host', async () => {
    const settings = `/pools/${poolId}/settings`
    await b.get(settings)
    const res = await b.post(`/pools/${poolId}/dns-providers`, { back: settings, kind: 'powerdns', name: 'P', apiUrl: 'http://169.254.169.254/latest/meta-data/', apiKey: KEY, serverId: 'localhost' })
    expect(res.status).toBe(422)
    expect(res.text).toMatch(/<input[^>]*name="apiUrl"[^>]*aria-describedby="provider-apiUrl-error"/)
    const error = /<p class="field-error" id="provider-apiUrl-error">([^<]*)<\/p>/.exec(res.text)?.[1]
    expect(visibleText(error ?? '')).toContain('169.254.169.254 is a link-local address')
    expect(res.text).not.toContain(KEY)

    await b.get(settings)
    const whm = await b.post(`/pools/${poolId}/dns-providers`, { back: settings, kind: 'whm', name: 'W', host: '127.0.0.1', username: 'root', apiToken: KEY })
    expect(whm.status).toBe(422)
    const hostError = /<p class="field-error" id="provider-host-error">([^<]*)<\/p>/.exec(whm.text)?.[1]
    expect(visibleText(hostError ?? '')).toContain('127.0.0.1 is a loopback address (this server itself). A DNS provider on a loopback or private address needs the server setting ALLOW_PRIVATE_PROVIDER_HOSTS=true.')
    expect((await s.api('GET', `/api/v1/pools/${poolId}/dns-providers`)).json).toEqual([])
  })

  test('a stored provider whose name resolves to a forbidden address is not called: Test connection and a failover write say why', async () => {
    const pool = await addPool(s, 'Stored')
    const id = await storedProvider(s, pool, 'powerdns', { apiUrl: `http://localhost:${pdns.port}`, serverId: 'localhost' })

    const tested = await s.api('POST', `/api/v1/pools/${pool}/dns-providers/${id}/test`)
    expect(tested.json.ok).toBe(false)
    expect(tested.json.error).toMatch(/^PowerDNS at http:\/\/localhost:\d+ was not called: localhost resolves to (127\.0\.0\.1|::1), a loopback address .*ALLOW_PRIVATE_PROVIDER_HOSTS=true/)

    await b.get(`/pools/${pool}/settings`)
    const page = await b.post(`/pools/${pool}/dns-providers/${id}/test`, {}, { 'hx-request': 'true' })
    expect(visibleText(page.text)).toContain('was not called: localhost resolves to')

    const cut = await makeActiveThrough(s, pool, id)
    expect(cut.status).toBe(502)
    expect(cut.json.error.message).toContain('No member is active yet: moving DNS to a failed (try 1): PowerDNS at http://localhost')
    expect(cut.json.error.message).toContain('was not called')

    const whm = await storedProvider(s, pool, 'whm', { host: `http://localhost:${pdns.port}`, username: 'root' })
    const whmTest = await s.api('POST', `/api/v1/pools/${pool}/dns-providers/${whm}/test`)
    expect(whmTest.json.error).toContain('WHM at http://localhost')
    expect(whmTest.json.error).toContain('was not called')
    expect(pdns.seen).toEqual([])
  })

  test('a Cloudflare provider stored with a baseUrl goes to the configured Cloudflare address, not its own', async () => {
    const pool = await addPool(s, 'Old Cloudflare')
    const id = await storedProvider(s, pool, 'cloudflare', { baseUrl: `${pdns.url}/client/v4` }, 'cf-token-1234')
    const tested = await s.api('POST', `/api/v1/pools/${pool}/dns-providers/${id}/test`)
    expect(tested.json).toEqual({ ok: true, zones: ['example.test'] })
    expect(pdns.seen).toEqual([])
    const [listed] = (await s.api('GET', `/api/v1/pools/${pool}/dns-providers`)).json
    expect(listed.settings).toEqual({})
  })
})

describe('with ALLOW_PRIVATE_PROVIDER_HOSTS on', () => {
  let s: TestServer
  let poolId: string
  let elsewhere: ReturnType<typeof recorder>
  let bouncer: ReturnType<typeof Bun.serve>

  beforeAll(async () => {
    // "Another address": a second loopback address, where the key must never arrive.
    elsewhere = recorder('127.0.0.2')
    bouncer = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: (req) => new Response(`moved, key ${req.headers.get('x-api-key')}`, { status: 302, headers: { location: `${elsewhere.url}${new URL(req.url).pathname}` } }),
    })
    s = await testServer({ env: { ALLOW_PRIVATE_PROVIDER_HOSTS: 'true' } })
    poolId = await addPool(s, 'On')
  })
  afterAll(async () => {
    await s?.close()
    bouncer?.stop(true)
    elsewhere?.stop()
  })

  test.each(['http://169.254.169.254/', 'http://[fe80::1]:8081/', 'http://[fd00:ec2::254]/', 'http://[::ffff:a9fe:a9fe]/', 'http://0.0.0.0:8081/', 'http://[::]:8081/'])(
    '%s is still refused',
    async (apiUrl) => {
      const res = await s.api('POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'powerdns', name: 'P', apiUrl, apiKey: KEY })
      expect(res.status).toBe(422)
      expect(res.json.error.message).toContain('DNS providers are never called there, whatever ALLOW_PRIVATE_PROVIDER_HOSTS says')
    },
  )

  test('a loopback or private address is accepted', async () => {
    for (const apiUrl of [elsewhere.url, 'http://10.1.2.3:8081']) {
      const res = await s.api('POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'powerdns', name: `P ${apiUrl}`, apiUrl, apiKey: KEY })
      expect(res.status).toBe(201)
      await s.api('DELETE', `/api/v1/pools/${poolId}/dns-providers/${res.json.id}`)
    }
  })

  test('a provider answering with a redirect is not followed: the other address gets nothing, and the error names the status without the body', async () => {
    const added = await s.api('POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'powerdns', name: 'Bouncer', apiUrl: `http://127.0.0.1:${bouncer.port}`, apiKey: KEY })
    expect(added.status).toBe(201)
    const tested = await s.api('POST', `/api/v1/pools/${poolId}/dns-providers/${added.json.id}/test`)
    expect(tested.json.ok).toBe(false)
    expect(tested.json.error).toContain(`PowerDNS at http://127.0.0.1:${bouncer.port} answered with a redirect (302), which is not followed`)
    expect(tested.json.error).not.toContain('moved')
    expect(tested.json.error).not.toContain(KEY)

    const cut = await makeActiveThrough(s, poolId, added.json.id)
    expect(cut.status).toBe(502)
    expect(cut.json.error.message).toContain('redirect (302)')

    const whm = await s.api('POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'whm', name: 'WHM bouncer', host: `http://127.0.0.1:${bouncer.port}`, username: 'root', apiToken: KEY })
    const whmTest = await s.api('POST', `/api/v1/pools/${poolId}/dns-providers/${whm.json.id}/test`)
    expect(whmTest.json.error).toContain('redirect (302)')
    expect(elsewhere.seen).toEqual([])
  })
})
