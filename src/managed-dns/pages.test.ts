// The Managed DNS tab and its API, against the Cloudflare and WHM stand-ins:
// the page and its lazily loaded fragment, the three-dot menu's forms, Sync
// WHM→CF, Refresh DNS, Import from Cloudflare, Add record, the API, and the
// menu's Cut DNS (last: it points the records at the standby).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { members } from '../db/schema'
import { start as startCloudflare, type CloudflareStandin } from '../testing/standins/cloudflare'
import { start as startWhm, type WhmStandin } from '../testing/standins/whm'
import { testServer, visibleText, type Browser, type TestServer } from '../testing/harness'
import { cpanelHeartbeat } from '../testing/heartbeat-fixture'
import { memberWith } from '../jobs/tab-fixture'
import * as protection from '../protection/store'

const SRC_IP = '203.0.113.10'
const SB_IP = '203.0.113.20'
const CF_TOKEN = 'cf-token-pages'
const WHM_TOKEN = 'whm-token-pages'
const EVIL = '<script>alert(1)</script>'

let cf: CloudflareStandin
let whm: WhmStandin
let s: TestServer
let b: Browser
let poolId: string
let cfId: string
let paId: string
let paPlain: string
const PANEL = { 'hx-request': 'true', 'hx-target': 'div#pool-panel' }
const FRAGMENT = { 'hx-request': 'true', 'hx-target': 'div#managed-dns' }
/** A form's post as htmx sends it (PostForm swaps #main). */
const MAIN = { 'hx-request': 'true', 'hx-target': 'main#main' }
const tab = () => `/pools/${poolId}/dns`
const cfWrites = () => cf.state.requests.filter((r) => r.method !== 'GET')

beforeAll(async () => {
  ;[cf, whm] = await Promise.all([startCloudflare(), startWhm()])
  cf.state.tokens = new Set([CF_TOKEN])
  whm.state.users = new Map([['root', WHM_TOKEN]])
  whm.state.addZone('shop.example.com', SRC_IP)
  whm.state.addRecord('shop.example.com', { type: 'A', name: 'www.shop.example.com.', address: SRC_IP })
  cf.state.addZone('shop.example.com')
  cf.state.addRecord('shop.example.com', { name: 'shop.example.com', type: 'A', content: SRC_IP, proxied: true })
  cf.state.addRecord('shop.example.com', { name: 'shop.example.com', type: 'MX', content: 'shop.example.com', priority: 0, ttl: 14400 })

  s = await testServer({ env: { CLOUDFLARE_API_URL: cf.url } })
  b = await s.browser().signIn()
  poolId = (await s.api('POST', '/api/v1/pools', { name: 'Managed', preset: 'generic' })).json.id
  cfId = (await s.api('POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'cloudflare', name: 'CF main', apiToken: CF_TOKEN })).json.id
  await s.api('POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'whm', name: 'WHM east', host: whm.url, username: 'root', apiToken: WHM_TOKEN })
  const east = await memberWith(s, poolId, 'east-1', cpanelHeartbeat([{ user: 'shop', domain: 'shop.example.com' }, { user: 'evil', domain: EVIL }]))
  const west = await memberWith(s, poolId, 'west-1', cpanelHeartbeat([]))
  await s.db.update(members).set({ publicIpv4: SRC_IP }).where(eq(members.id, east.id))
  await s.db.update(members).set({ publicIpv4: SB_IP }).where(eq(members.id, west.id))
  const base = { sourceMemberId: east.id, standbyMemberId: west.id, schedule: '1d', ttl: 300, providerId: cfId }
  paId = (await s.api('POST', `/api/v1/pools/${poolId}/protected-accounts`, { ...base, user: 'shop' })).json.id
  paPlain = (await s.api('POST', `/api/v1/pools/${poolId}/protected-accounts`, { ...base, user: 'evil' })).json.id
}, 120_000)
afterAll(async () => {
  await s?.close()
  await cf?.stop()
  await whm?.stop()
})

describe('the Managed DNS tab', () => {
  test('it serves the tab whole and as a fragment, with the records loaded after the page and the API providers card', async () => {
    const full = await b.get(tab())
    expect(full.status).toBe(200)
    expect(full.text).toContain('<html')
    expect(full.text).toContain('aria-current="page" data-tab="dns"')
    expect(full.text).toContain(`hx-get="/pools/${poolId}/dns/protected"`)
    const text = visibleText(full.text)
    expect(text).toContain('API providers')
    expect(text).toContain('CF main')
    expect(text).toContain('Dynamic DNS')
    const frag = await b.get(tab(), PANEL)
    expect(frag.text).not.toContain('<html')
    expect(frag.text).toContain('id="managed-dns"')
  })

  test('the fragment shows each name with type, value, proxied, cut over, active IP and TTL, and the DNS health', async () => {
    const res = await b.get(`${tab()}/protected`, FRAGMENT)
    expect(res.status).toBe(200)
    expect(res.text).not.toContain('<html')
    expect(res.text).not.toContain(EVIL)
    const text = visibleText(res.text)
    expect(text).toContain('shop.example.com A 203.0.113.10 proxied Make DNS only yes source (east-1) auto')
    expect(text).toContain('shop.example.com MX 0 shop.example.com — no neither member 14400 s')
    expect(text).toContain('CF main (Cloudflare) → Primary: east-1 → Standby: west-1')
    expect(text).toContain('WHM east (WHM DNS): 1 zone: shop.example.com')
    expect(text).toContain('1 of 2 protected domains has a zone')
    expect(text).toContain('Without a zone: <script>alert(1)</script> (evil, CF main)')
    expect(text).toContain('Drift: no account is marked Managed')
    expect(res.text).toContain(`aria-label="Actions for shop"`)
    // The WHM a sync will read, and why that one: here the pool's only WHM provider, whose host is none of east-1's.
    expect(text).toContain("shop CF main (Cloudflare) WHM east the pool's only WHM provider, read for every member as a DNS cluster (its host 127.0.0.1 is not east-1's) no")
  })

  test('the three-dot menu chooses the cut types and marks the account Managed; a refusal changes nothing', async () => {
    await b.get(tab())
    const none = await b.post(`${tab()}/protected/accounts/${paId}/settings`, [['managed', 'on']])
    expect(none.status).toBe(422)
    expect(visibleText(none.text)).toContain('Record types to cut: one or more of A, AAAA, MX, SRV.')
    expect((await protection.findProtected(s.db, paId))!).toMatchObject({ managed: false, records: ['A'] })

    const ok = await b.post(`${tab()}/protected/accounts/${paId}/settings`, [['records', 'A'], ['records', 'MX'], ['managed', 'on']])
    expect(ok.status).toBe(303)
    expect(ok.headers.get('location')).toBe(tab())
    expect((await protection.findProtected(s.db, paId))!).toMatchObject({ managed: true, records: ['A', 'MX'] })
    expect(visibleText((await b.get(tab())).text)).toContain('shop: A, MX cut over; Managed')
  })

  test('Refresh DNS counts the drift; Sync WHM→CF writes it and the tab says what was written', async () => {
    await b.get(tab())
    const refreshed = await b.post(`${tab()}/protected/refresh`, {}, FRAGMENT)
    expect(refreshed.status).toBe(200)
    expect(visibleText(refreshed.text)).toContain('Drift: 2 sets differ from WHM')
    expect(cfWrites()).toHaveLength(0)

    const sync = await b.post(`${tab()}/protected/sync`, {})
    expect(sync.status).toBe(303)
    expect(visibleText((await b.get(tab())).text)).toContain('shop: 2 sets differed, 2 written and read back')
    expect(cf.state.find('shop.example.com', 'www.shop.example.com', 'A')[0]!.content).toBe(SRC_IP)
    const text = visibleText((await b.get(`${tab()}/protected`, FRAGMENT)).text)
    expect(text).toContain('Last sync')
    expect(text).toContain('wrote 2 sets')
    expect(text).toContain('Drift: in sync with WHM')
  })

  test('Import from Cloudflare lists the zone at the account\'s domains, stored nowhere; proxied is switched per record', async () => {
    const res = await b.get(`${tab()}/protected/import?account=${paId}`, { 'hx-request': 'true' })
    expect(res.status).toBe(200)
    const text = visibleText(res.text)
    expect(text).toContain('At CF main for shop')
    expect(text).toContain('nothing of it is stored')
    expect(text).toContain('www.shop.example.com A 203.0.113.10 DNS only')

    await b.get(tab())
    const off = await b.post(`${tab()}/protected/accounts/${paId}/proxied`, { name: 'shop.example.com', type: 'A', proxied: 'off' })
    expect(off.status).toBe(303)
    expect(cf.state.find('shop.example.com', 'shop.example.com', 'A')[0]!.proxied).toBe(false)
  })

  test('Add record writes one set; a name outside the zones is refused with its message and nothing is written', async () => {
    await b.get(tab())
    cf.state.requests = []
    const bad = await b.post(`${tab()}/protected/records`, { protectedAccountId: paId, name: 'shop.example.org', type: 'A', values: '192.0.2.7', ttl: '300' })
    expect(bad.status).toBe(422)
    expect(visibleText(bad.text)).toContain('shop.example.org is not inside a zone of CF main')
    expect(cfWrites()).toHaveLength(0)
    // The dialog opens again at what was typed, the message beside the field it is about, as a page and as htmx's swap of #main.
    for (const res of [bad, await b.post(`${tab()}/protected/records`, { protectedAccountId: paId, name: 'shop.example.org', type: 'A', values: '192.0.2.7', ttl: '300', proxied: 'on' }, MAIN)]) {
      expect(res.status).toBe(422)
      expect(res.text).toMatch(/<dialog id="mdns-add-record"[^>]*data-reopen=""/)
      expect(res.text).toMatch(/<div class="field has-error">\s*<label for="mdns-add-name"/)
      expect(res.text).toContain('id="mdns-add-name-error"')
      expect(res.text).toContain('value="shop.example.org"')
      expect(res.text).toContain('value="192.0.2.7"')
      expect(res.text).toMatch(/<option value="A" selected/)
      expect(res.text).toContain(`<option value="${paId}" selected`)
      expect(visibleText(res.text)).not.toContain('Reading the protected accounts')
    }
    const wrongValue = await b.post(`${tab()}/protected/records`, { protectedAccountId: paId, name: 'ok.shop.example.com', type: 'MX', values: 'mail.shop.example.com', ttl: '600' }, MAIN)
    expect(wrongValue.status).toBe(422)
    expect(wrongValue.text).toMatch(/<div class="field has-error">\s*<label for="mdns-add-values"/)
    expect(wrongValue.text).toMatch(/<option value="MX" selected/)
    expect(wrongValue.text).toContain('value="600"')
    expect(cfWrites()).toHaveLength(0)
    const good = await b.post(`${tab()}/protected/records`, { protectedAccountId: paId, name: 'spf.shop.example.com', type: 'TXT', values: 'v=spf1 a, mx -all', ttl: '300' })
    expect(good.status).toBe(303)
    expect(cf.state.find('shop.example.com', 'spf.shop.example.com', 'TXT')[0]!.content).toBe('v=spf1 a, mx -all')
  })
})

describe('the Managed DNS API', () => {
  test('GET managed-dns is the catalogue', async () => {
    const res = await s.api('GET', `/api/v1/pools/${poolId}/managed-dns`)
    expect(res.status).toBe(200)
    const shop = res.json.accounts.find((a: any) => a.user === 'shop')
    expect(shop).toMatchObject({ protectedAccountId: paId, managed: true, records: ['A', 'MX'], provider: { id: cfId, kind: 'cloudflare' }, cut: false, error: null })
    expect(shop.fqdns[0]).toMatchObject({ name: 'shop.example.com', zone: 'shop.example.com' })
    expect(shop.drift).toMatchObject({ count: 0 })
    expect(res.json.topology).toHaveLength(1)
  })

  test('POST dns-sync syncs one account; one not Managed is a 409; the pool sync reports each', async () => {
    whm.state.addRecord('shop.example.com', { type: 'A', name: 'ftp.shop.example.com.', address: SRC_IP })
    const one = await s.api('POST', `/api/v1/protected-accounts/${paId}/dns-sync`, {})
    expect(one.status).toBe(200)
    expect(one.json).toMatchObject({ ok: true, user: 'shop', before: [{ name: 'ftp.shop.example.com', type: 'A', want: [SRC_IP], have: null }] })
    const refused = await s.api('POST', `/api/v1/protected-accounts/${paPlain}/dns-sync`, {})
    expect(refused.status).toBe(409)
    expect(refused.json.error.message).toContain('not marked Managed')
    const all = await s.api('POST', `/api/v1/pools/${poolId}/managed-dns/sync`, {})
    expect(all.status).toBe(200)
    expect(all.json.results.map((r: any) => [r.user, r.ok, r.written.length])).toEqual([['shop', true, 0]])
  })

  test("POST managed-dns/records adds a set (201); bad input is a 422 and a provider's failure a 502, writing nothing", async () => {
    const add = (body: Record<string, unknown>) => s.api('POST', `/api/v1/pools/${poolId}/managed-dns/records`, { protectedAccountId: paId, name: 'api.shop.example.com', type: 'A', values: ['192.0.2.9'], ttl: 300, ...body })
    cf.state.requests = []
    expect((await add({ type: 'PTR' })).status).toBe(422)
    expect((await add({ values: ['not-an-ip'] })).json.error).toMatchObject({ code: 'invalid_input', message: '"not-an-ip" is not an IPv4 address.' })
    expect((await add({ ttl: 5 })).status).toBe(422)
    cf.state.failNext(1, 500)
    const down = await add({})
    expect(down.status).toBe(502)
    expect(cfWrites()).toHaveLength(0)
    const created = await add({})
    expect(created.status).toBe(201)
    expect(created.json).toMatchObject({ zone: 'shop.example.com', name: 'api.shop.example.com', values: ['192.0.2.9'], verified: true, proxied: false })
    expect((await add({})).status).toBe(409)
  })

  test('a sync whose provider cannot be reached is a 502 in its words', async () => {
    cf.state.failNext(5, 500)
    const res = await s.api('POST', `/api/v1/protected-accounts/${paId}/dns-sync`, {})
    expect(res.status).toBe(502)
    expect(res.json.error.message).toContain('Cloudflare')
    cf.state.failNext(0)
  })
})

describe("the three-dot menu's Cut DNS", () => {
  test('a wrong name reopens the menu on the Managed DNS tab and changes nothing; the right one cuts and lands on the Protection tab with the result', async () => {
    await b.get(tab())
    cf.state.requests = []
    const cutPath = `${tab()}/protected/accounts/${paId}/cut`
    for (const headers of [undefined, MAIN]) {
      const wrong = await b.post(cutPath, { confirm: 'shopp' }, headers)
      expect(wrong.status).toBe(422)
      expect(wrong.text).toContain('aria-current="page" data-tab="dns"')
      expect(wrong.text).toMatch(new RegExp(`<dialog id="mdns-menu-${paId}"[^>]*data-reopen=""`))
      expect(wrong.text).toContain(`id="mdns-menu-${paId}-confirm-error"`)
      expect(wrong.text).toContain('value="shopp"')
      expect(visibleText(wrong.text)).toContain('Type shop to cut its DNS to west-1. Nothing was changed.')
    }
    expect(cfWrites()).toHaveLength(0)
    expect(cf.state.find('shop.example.com', 'shop.example.com', 'A')[0]!.content).toBe(SRC_IP)

    const done = await b.post(cutPath, { confirm: 'shop' }, MAIN)
    expect(done.status).toBe(303)
    const landing = done.headers.get('location')!
    expect(landing).toMatch(new RegExp(`^/pools/${poolId}/protection\\?cut=\\d+$`))
    expect(cf.state.find('shop.example.com', 'shop.example.com', 'A')[0]!.content).toBe(SB_IP)
    // htmx follows the 303 and pushes where it landed; a reload asks the same address whole.
    for (const headers of [MAIN, undefined]) {
      const there = await b.get(landing, headers)
      expect(there.status).toBe(200)
      expect(there.text).toContain('aria-current="page" data-tab="protection"')
      expect(there.text).toContain('data-cut-ok="true"')
      expect(visibleText(there.text)).toContain('DNS cut result')
    }
    const after = visibleText((await b.get(`${tab()}/protected`, FRAGMENT)).text)
    expect(after).toContain('cut to standby')
    expect(after).toContain('standby (west-1)')
  })
})
