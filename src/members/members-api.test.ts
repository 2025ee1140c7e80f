import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { testServer, type TestServer } from '../testing/harness'

let s: TestServer
let poolId: string
beforeAll(async () => {
  s = await testServer({ env: { PUBLIC_URL: 'https://ctl.example.com' } })
  poolId = (await s.api('POST', '/api/v1/pools', { name: 'P', preset: 'generic' })).json.id
})
afterAll(() => s.close())

const add = (body: Record<string, unknown>) => s.api('POST', `/api/v1/pools/${poolId}/members`, body)

describe('members API', () => {
  test('it adds a member and answers its one-time install command', async () => {
    const res = await add({ name: 'web-1', hostname: 'Web-1.Example.com', egressIps: ['203.0.113.7'] })
    expect(res.status).toBe(201)
    const id: string = res.json.id
    expect(id).toMatch(/^mem_/)
    expect(res.json).toMatchObject({ name: 'web-1', hostname: 'web-1.example.com' })
    const { secret, expiresAt, installCommand } = res.json.enrollment
    expect(secret).toStartWith(`${id}.`)
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(23.9 * 3_600_000)
    expect(installCommand).toBe(`curl -fsSL https://ctl.example.com/install.sh | sudo bash -s -- --server https://ctl.example.com --secret ${secret}`)

    const member = (await s.api('GET', `/api/v1/members/${id}`)).json
    expect(member).toMatchObject({
      poolId,
      egressIps: ['203.0.113.7'],
      publicIpv4: '203.0.113.7',
      status: 'pending',
      lastHeartbeatAt: null,
      agentVersion: null,
      stacks: { openlitespeed: null, mariadb: null, galera: null, cpanel: null },
      metrics: { cpuPercent: null },
    })
    expect(JSON.stringify(member)).not.toContain(secret)
    expect((await s.api('GET', `/api/v1/pools/${poolId}`)).json.memberCount).toBe(1)
  })

  test.each([
    ['no name', { name: '', hostname: 'a.example.com', egressIps: ['203.0.113.1'] }, 'name'],
    ['a bad hostname', { name: 'x', hostname: 'bad_host!', egressIps: ['203.0.113.1'] }, 'not a valid hostname'],
    ['no egress IP', { name: 'x', hostname: 'a.example.com', egressIps: [] }, 'egressIps'],
    ['an IPv6 egress', { name: 'x', hostname: 'a.example.com', egressIps: ['2001:db8::1'] }, '"2001:db8::1" is not an IPv4 address'],
    ['a bad egress', { name: 'x', hostname: 'a.example.com', egressIps: ['300.1.1.1'] }, '"300.1.1.1" is not an IPv4 address'],
    ['a bad public IP', { name: 'x', hostname: 'a.example.com', egressIps: ['203.0.113.1'], publicIpv4: 'nope' }, 'is not an IPv4 address'],
    ['an unknown field', { name: 'x', hostname: 'a.example.com', egressIps: ['203.0.113.1'], role: 'active' }, 'role'],
  ])('it refuses %s with 422 and adds nothing', async (_l, body, message) => {
    const before = (await s.api('GET', `/api/v1/pools/${poolId}/members`)).json.length
    const res = await add(body)
    expect(res.status).toBe(422)
    expect(res.json.error.message).toContain(message)
    expect((await s.api('GET', `/api/v1/pools/${poolId}/members`)).json.length).toBe(before)
  })

  test('it answers 404 for an unknown pool or member', async () => {
    expect((await s.api('POST', '/api/v1/pools/pool_nope/members', { name: 'x', hostname: 'a.example.com', egressIps: ['203.0.113.1'] })).status).toBe(404)
    expect((await s.api('GET', '/api/v1/members/mem_nope')).status).toBe(404)
    expect((await s.api('PATCH', '/api/v1/members/mem_nope', { name: 'y' })).status).toBe(404)
    expect((await s.api('DELETE', '/api/v1/members/mem_nope')).status).toBe(404)
  })

  test('it changes name, egress IPs, public IP and location', async () => {
    const id = (await add({ name: 'db-1', hostname: 'db-1.example.com', egressIps: ['203.0.113.9'] })).json.id
    const res = await s.api('PATCH', `/api/v1/members/${id}`, {
      name: 'db-primary',
      egressIps: ['203.0.113.9', '203.0.113.10'],
      publicIpv4: '198.51.100.4',
      location: { lat: 52.37, lon: 4.9, label: 'Amsterdam' },
    })
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({
      name: 'db-primary',
      egressIps: ['203.0.113.9', '203.0.113.10'],
      publicIpv4: '198.51.100.4',
      location: { lat: 52.37, lon: 4.9, label: 'Amsterdam' },
    })
    expect((await s.api('PATCH', `/api/v1/members/${id}`, { location: { lat: 91, lon: 0 } })).status).toBe(422)
    expect((await s.api('GET', `/api/v1/members/${id}`)).json.location.lat).toBe(52.37)
  })

  test('a new install command voids the old one', async () => {
    const created = (await add({ name: 'edge', hostname: 'edge.example.com', egressIps: ['203.0.113.11'] })).json
    const again = await s.api('POST', `/api/v1/members/${created.id}/enrollment`)
    expect(again.status).toBe(201)
    expect(again.json.secret).not.toBe(created.enrollment.secret)
  })

  test('it removes a member', async () => {
    const id = (await add({ name: 'gone', hostname: 'gone.example.com', egressIps: ['203.0.113.12'] })).json.id
    expect((await s.api('DELETE', `/api/v1/members/${id}`)).status).toBe(204)
    expect((await s.api('GET', `/api/v1/members/${id}`)).status).toBe(404)
    const audit = (await s.api('GET', `/api/v1/audit?pool=${poolId}`)).json.events.map((e: { action: string }) => e.action)
    expect(audit).toContain('member.remove')
    expect(audit).toContain('member.add')
  })
})
