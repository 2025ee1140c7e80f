import { afterEach, describe, expect, test } from 'bun:test'
import { apiTokens } from '../db/schema'
import { sha256 } from '../crypto/tokens'
import { testServer, visibleText, type TestServer } from '../testing/harness'

let s: TestServer
afterEach(() => s?.close())

describe('API tokens', () => {
  test('it creates a token on the page, shows it once, and stores only its hash', async () => {
    s = await testServer()
    const b = await s.browser().signIn()
    await b.get('/account/tokens')
    const res = await b.post('/account/tokens', { name: 'terraform' })
    expect(res.status).toBe(201)
    const secret = /<code class="secret" id="new-token">([^<]+)<\/code>/.exec(res.text)![1]!
    expect(secret).toStartWith('sctl_')
    expect((await s.api('GET', '/api/v1/pools', undefined, secret)).status).toBe(200)

    const rows = await s.db.select().from(apiTokens)
    expect(JSON.stringify(rows)).not.toContain(secret)
    expect(rows.map((r) => r.tokenHash)).toContain(sha256(secret))

    const again = await b.get('/account/tokens')
    expect(again.text).not.toContain(secret)
    expect(visibleText(again.text)).toContain(`terraform …${secret.slice(-4)}`)
  })

  test('it refuses a token without a name', async () => {
    s = await testServer()
    const b = await s.browser().signIn()
    await b.get('/account/tokens')
    const res = await b.post('/account/tokens', { name: '  ' })
    expect(res.status).toBe(422)
    expect(res.text).toContain('Give the token a name')
    expect((await s.api('GET', '/api/v1/tokens')).json).toHaveLength(1)
  })

  test('it revokes a token on the page and the token stops working', async () => {
    s = await testServer()
    const created = await s.api('POST', '/api/v1/tokens', { name: 'ci' })
    expect(created.status).toBe(201)
    const b = await s.browser().signIn()
    await b.get('/account/tokens')
    const res = await b.post(`/account/tokens/${created.json.id}/revoke`, {})
    expect(res.status).toBe(303)
    expect(visibleText((await b.get('/account/tokens')).text)).toContain('Token "ci" revoked.')
    expect((await s.api('GET', '/api/v1/pools', undefined, created.json.token)).status).toBe(401)
  })

  test('its API lists, creates and revokes, and never returns a secret twice', async () => {
    s = await testServer()
    const created = await s.api('POST', '/api/v1/tokens', { name: 'ansible' })
    expect(created.json).toEqual({
      id: expect.stringMatching(/^tok_/),
      name: 'ansible',
      lastFour: created.json.token.slice(-4),
      createdAt: expect.any(String),
      lastUsedAt: null,
      token: expect.stringMatching(/^sctl_/),
    })
    const list = await s.api('GET', '/api/v1/tokens')
    expect(list.json.map((t: { name: string }) => t.name).sort()).toEqual(['ADMIN_API_TOKEN', 'ansible'])
    expect(list.text).not.toContain(created.json.token)
    expect((await s.api('DELETE', `/api/v1/tokens/${created.json.id}`)).status).toBe(204)
    expect((await s.api('DELETE', `/api/v1/tokens/${created.json.id}`)).status).toBe(404)
    expect((await s.api('POST', '/api/v1/tokens', { name: '' })).status).toBe(422)
  })

  test('a token records when it was last used', async () => {
    s = await testServer()
    await s.api('GET', '/api/v1/pools')
    const [row] = (await s.api('GET', '/api/v1/tokens')).json
    expect(row.lastUsedAt).not.toBeNull()
  })
})
