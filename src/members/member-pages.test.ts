import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { members } from '../db/schema'
import { eq } from 'drizzle-orm'
import { visibleText, type Browser, type TestServer } from '../testing/harness'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import { reportHeartbeat, signedInWithPool } from '../jobs/tab-fixture'
import { MEMBER_TABS } from './tabs'

let s: TestServer
let b: Browser
let poolId: string
beforeAll(async () => ({ s, b, poolId } = await signedInWithPool('Pages')))
afterAll(() => s.close())

describe('add server', () => {
  test('it adds a member from the form and lands on its install page, with the command', async () => {
    await b.get(`/pools/${poolId}/members/new`)
    const res = await b.post(`/pools/${poolId}/members`, {
      osFamily: 'debian',
      name: 'web-1',
      hostname: 'web-1.example.com',
      egressIps: '203.0.113.7, 203.0.113.8',
      publicIpv4: '',
    })
    expect(res.status).toBe(303)
    const text = visibleText((await b.get(res.headers.get('location')!)).text)
    expect(text).toContain('web-1 added')
    expect(text).toContain('Install command')
    expect(text).toMatch(/curl -fsSL http:\/\/localhost:3000\/install\.sh \| sudo bash -s -- --server http:\/\/localhost:3000 --secret mem_\w+\.\S+/)
    const list = (await s.api('GET', `/api/v1/pools/${poolId}/members`)).json
    expect(list[0]).toMatchObject({ name: 'web-1', egressIps: ['203.0.113.7', '203.0.113.8'], publicIpv4: '203.0.113.7', os: { family: 'debian' } })
  })

  test('it re-renders the form with the reason next to the field and adds nothing', async () => {
    const before = (await s.api('GET', `/api/v1/pools/${poolId}/members`)).json.length
    await b.get(`/pools/${poolId}/members/new`)
    const res = await b.post(`/pools/${poolId}/members`, { name: 'x', hostname: 'x.example.com', egressIps: '10.0.0.300' })
    expect(res.status).toBe(422)
    expect(visibleText(res.text)).toContain('"10.0.0.300" is not an IPv4 address')
    expect(res.text).toContain('value="x.example.com"')
    expect((await s.api('GET', `/api/v1/pools/${poolId}/members`)).json.length).toBe(before)
  })
})

/** The message under each field, as the page shows it: {field id: text}. */
function fieldErrors(html: string): Record<string, string> {
  return Object.fromEntries([...html.matchAll(/<p class="field-error" id="field-(\w+)-error">([^<]*)<\/p>/g)].map((m) => [m[1]!, visibleText(m[2]!).trim()]))
}

describe('several bad fields', () => {
  test('it reports every bad field of Add server at once, each next to its field', async () => {
    await b.get(`/pools/${poolId}/members/new`)
    const res = await b.post(`/pools/${poolId}/members`, { name: ' ', hostname: 'not a host', egressIps: '10.0.0.300', publicIpv4: 'nope' })
    expect(res.status).toBe(422)
    expect(fieldErrors(res.text)).toEqual({
      name: 'Give the member a display name',
      hostname: '"not a host" is not a valid hostname',
      egressIps: '"10.0.0.300" is not an IPv4 address',
      publicIpv4: '"nope" is not an IPv4 address',
    })
    for (const field of ['name', 'hostname', 'egressIps', 'publicIpv4']) {
      expect(res.text).toMatch(new RegExp(`id="field-${field}"[^>]*aria-invalid="true" aria-describedby="field-${field}-error"`))
    }
  })

  test('it reports every bad field of the member settings at once', async () => {
    const id = (await s.api('POST', `/api/v1/pools/${poolId}/members`, { name: 'set', hostname: 'set.example.com', egressIps: ['203.0.113.30'] })).json.id
    await b.get(`/pools/${poolId}/members/${id}/settings`)
    const identity = await b.post(`/pools/${poolId}/members/${id}/settings/identity`, { name: '', hostname: 'bad host', egressIps: '', publicIpv4: '' })
    expect(identity.status).toBe(422)
    expect(Object.keys(fieldErrors(identity.text))).toEqual(['name', 'hostname', 'egressIps'])
    const location = await b.post(`/pools/${poolId}/members/${id}/settings/location`, { lat: '91', lon: 'east', label: '' })
    expect(fieldErrors(location.text)).toEqual({ lat: 'Latitude must be a number from -90 to 90', lon: 'Longitude must be a number from -180 to 180' })
    expect((await s.api('GET', `/api/v1/members/${id}`)).json).toMatchObject({ name: 'set', location: null })
  })

  test('the API names every bad field too', async () => {
    const res = await s.api('POST', `/api/v1/pools/${poolId}/members`, { name: '', hostname: 'ok.example.com', egressIps: ['300.1.1.1'] })
    expect(res.status).toBe(422)
    expect(res.json.error).toEqual({
      code: 'invalid_input',
      message: 'Give the member a display name',
      fields: { name: 'Give the member a display name', egressIps: '"300.1.1.1" is not an IPv4 address' },
    })
  })
})

describe('the member workspace', () => {
  test('every tab answers a full page and an htmx fragment', async () => {
    const id = (await s.api('POST', `/api/v1/pools/${poolId}/members`, { name: 'tabs', hostname: 'tabs.example.com', egressIps: ['203.0.113.20'] })).json.id
    for (const tab of MEMBER_TABS) {
      const path = `/pools/${poolId}/members/${id}${tab.key === 'control' ? '' : `/${tab.key}`}`
      const full = await b.get(path)
      expect({ tab: tab.key, status: full.status }).toEqual({ tab: tab.key, status: 200 })
      expect(full.text).toMatch(new RegExp(`class="tab current" aria-current="page" data-tab="${tab.key}"`))
      const part = await b.get(path, { 'hx-request': 'true', 'hx-target': 'div#member-panel' })
      expect(part.text).not.toContain('<html')
      expect(part.text).toContain('<hx-partial hx-target="#member-tab-bar"')
    }
  })

  test('stack tabs show "not detected" until the agent reports the stack', async () => {
    const id = (await s.api('POST', `/api/v1/pools/${poolId}/members`, { name: 'ols', hostname: 'ols.example.com', egressIps: ['203.0.113.21'] })).json.id
    const ols = `/pools/${poolId}/members/${id}/openlitespeed`
    expect(visibleText((await b.get(ols)).text)).toContain('OpenLiteSpeed not detected')
    await reportHeartbeat(s, id)
    const page = visibleText((await b.get(ols)).text)
    expect(page).not.toContain('not detected')
    expect(page).toContain('shop /var/www/shop shop.example.com')
    expect(visibleText((await b.get(`/pools/${poolId}/members/${id}/mariadb`)).text)).toContain('shop_wp 5.0 MiB WordPress /var/www/shop')
    expect(visibleText((await b.get(`/pools/${poolId}/members/${id}/cpanel`)).text)).toContain('cPanel / WHM not detected')
  })

  test('the MariaDB tab says so when cPanel manages MySQL', async () => {
    const id = (await s.api('POST', `/api/v1/pools/${poolId}/members`, { name: 'whm', hostname: 'whm.example.com', egressIps: ['203.0.113.22'] })).json.id
    const hb = sampleHeartbeat()
    hb.stacks = { ...hb.stacks, openlitespeed: null, mariadb: { ...hb.stacks.mariadb!, managedBy: 'cpanel' }, cpanel: { version: '11.120.0.9', accounts: [{ user: 'shopuser', domain: 'shop.example.com', domains: [], plan: 'default', owner: 'root', suspended: false, diskBytes: null }] } }
    await reportHeartbeat(s, id, hb)
    expect(visibleText((await b.get(`/pools/${poolId}/members/${id}/mariadb`)).text)).toContain('MySQL on this host is managed by cPanel')
    expect(visibleText((await b.get(`/pools/${poolId}/members/${id}/cpanel/accounts`)).text)).toContain('shopuser shop.example.com')
  })

  test('Status shows OS, agent version with an outdated warning, live stats, updates and firewall', async () => {
    const id = (await s.api('POST', `/api/v1/pools/${poolId}/members`, { name: 'st', hostname: 'st.example.com', egressIps: ['203.0.113.23'] })).json.id
    await reportHeartbeat(s, id, sampleHeartbeat({ agentVersion: '0.0.9' }))
    const page = visibleText((await b.get(`/pools/${poolId}/members/${id}/status`)).text)
    expect(page).toContain('Operating system Ubuntu 22.04.4 LTS')
    expect(page).toContain('Agent 0.0.9 is older than this server')
    expect(page).toContain('Memory 2.0 GiB of 4.0 GiB')
    expect(page).toContain('Pending updates 7 pending, 2 security (apt)')
    expect(page).toContain('Firewall ufw active 4 rules')
  })

  test('Settings saves identity and location, re-issues the install command, and removes the member', async () => {
    const id = (await s.api('POST', `/api/v1/pools/${poolId}/members`, { name: 'set', hostname: 'set.example.com', egressIps: ['203.0.113.24'] })).json.id
    const base = `/pools/${poolId}/members/${id}/settings`
    await b.get(base)
    const saved = await b.post(`${base}/identity`, { name: 'set-2', hostname: 'set.example.com', egressIps: '203.0.113.24', publicIpv4: '198.51.100.24' })
    expect(saved.status).toBe(303)
    expect((await s.api('GET', `/api/v1/members/${id}`)).json).toMatchObject({ name: 'set-2', publicIpv4: '198.51.100.24' })

    const bad = await b.post(`${base}/location`, { lat: '100', lon: '0', label: '' })
    expect(bad.status).toBe(422)
    expect(visibleText(bad.text)).toContain('Latitude must be a number from -90 to 90')
    expect((await b.post(`${base}/location`, { lat: '48.85', lon: '2.35', label: 'Paris' })).status).toBe(303)
    expect((await s.api('GET', `/api/v1/members/${id}`)).json.location).toEqual({ lat: 48.85, lon: 2.35, label: 'Paris' })

    const reissued = await b.post(`${base}/install-command`, {})
    expect(reissued.status).toBe(303)
    expect(visibleText((await b.get(reissued.headers.get('location')!)).text)).toMatch(/--secret mem_\w+\.\S+/)

    const wrong = await b.post(`${base}/remove`, { confirmName: 'nope' })
    expect(wrong.status).toBe(422)
    expect((await s.api('GET', `/api/v1/members/${id}`)).status).toBe(200)
    const removed = await b.post(`${base}/remove`, { confirmName: 'set-2' })
    expect(removed.headers.get('location')).toBe(`/pools/${poolId}`)
    expect((await s.api('GET', `/api/v1/members/${id}`)).status).toBe(404)
  })

  test('a member of another pool answers 404', async () => {
    const other = (await s.api('POST', '/api/v1/pools', { name: 'Other', preset: 'generic' })).json.id
    const id = (await s.api('POST', `/api/v1/pools/${other}/members`, { name: 'o', hostname: 'o.example.com', egressIps: ['203.0.113.25'] })).json.id
    expect((await b.get(`/pools/${poolId}/members/${id}/status`)).status).toBe(404)
  })
})

describe('overview tiles', () => {
  test('they show status, OS, stacks and usage, and a poll answers 304 while nothing changed', async () => {
    const pool = (await s.api('POST', '/api/v1/pools', { name: 'Tiles', preset: 'generic' })).json.id
    const id = (await s.api('POST', `/api/v1/pools/${pool}/members`, { name: 'tile', hostname: 'tile.example.com', egressIps: ['203.0.113.26'] })).json.id
    const pending = visibleText((await b.get(`/pools/${pool}`)).text)
    expect(pending).toContain('tile pending')
    await reportHeartbeat(s, id)
    const res = await b.get(`/pools/${pool}/tiles`, { 'hx-request': 'true' })
    const ptag = res.headers.get('hx-ptag')!
    const tiles = visibleText(res.text)
    expect(tiles).toContain('tile healthy')
    expect(tiles).toContain('Ubuntu 22.04.4 LTS')
    expect(tiles).toContain('OpenLiteSpeed MariaDB')
    expect(tiles).toContain('CPU 13%')
    // The figures above and the member row's dots come along with the tiles.
    expect(res.text).toContain('<hx-partial hx-target="#fleet-kpis"')
    expect(tiles).toContain('1 Healthy agents')
    expect(res.text).toMatch(/<hx-partial hx-target="#member-tabs"[\s\S]*dot-ok/)
    const same = await b.get(`/pools/${pool}/tiles`, { 'hx-request': 'true', 'hx-ptag': ptag })
    expect(same.status).toBe(304)
    expect(same.text).toBe('')
    await s.db.update(members).set({ lastHeartbeatAt: new Date(Date.now() - 120_000) }).where(eq(members.id, id))
    const changed = await b.get(`/pools/${pool}/tiles`, { 'hx-request': 'true', 'hx-ptag': ptag })
    expect(changed.status).toBe(200)
    expect(visibleText(changed.text)).toContain('tile down')
  })

  test('Fleet status counts cron jobs and running jobs, and the poll brings their changes', async () => {
    const pool = (await s.api('POST', '/api/v1/pools', { name: 'Busy pool', preset: 'generic' })).json.id
    const id = (await s.api('POST', `/api/v1/pools/${pool}/members`, { name: 'busy', hostname: 'busy.example.com', egressIps: ['203.0.113.40'] })).json.id
    await reportHeartbeat(s, id)
    const first = visibleText((await b.get(`/pools/${pool}`)).text)
    expect(first).toContain('0 Backup schedules none yet')
    expect(first).toContain('0 Cron jobs')
    expect(first).toContain('0 Running jobs')
    const before = await b.get(`/pools/${pool}/tiles`, { 'hx-request': 'true' })
    const ptag = before.headers.get('hx-ptag')!

    expect((await s.api('POST', `/api/v1/members/${id}/schedules`, { name: 'system.updates.check', params: {}, cron: '17 4 * * *' })).status).toBe(201)
    expect((await s.api('POST', `/api/v1/members/${id}/jobs`, { name: 'system.updates.check', params: {} })).status).toBe(201)
    const after = await b.get(`/pools/${pool}/tiles`, { 'hx-request': 'true', 'hx-ptag': ptag })
    expect(after.status).toBe(200)
    const kpis = visibleText(after.text)
    expect(kpis).toContain('1 Cron jobs')
    expect(kpis).toContain('0 Running jobs 1 queued')
  })

  test('Protection and Managed DNS appear once two members report cPanel', async () => {
    const pool = (await s.api('POST', '/api/v1/pools', { name: 'WHM pool', preset: 'generic' })).json.id
    const hb = sampleHeartbeat()
    hb.stacks = { ...hb.stacks, cpanel: { version: '11.120', accounts: [] } }
    for (const n of ['w1', 'w2']) {
      const id = (await s.api('POST', `/api/v1/pools/${pool}/members`, { name: n, hostname: `${n}.example.com`, egressIps: ['203.0.113.30'] })).json.id
      await reportHeartbeat(s, id, hb)
    }
    const page = await b.get(`/pools/${pool}`)
    expect(page.text).toContain('data-tab="protection"')
    expect(page.text).toContain('data-tab="dns"')
  })
})
