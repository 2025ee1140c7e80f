import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { testServer, type TestServer } from '../testing/harness'

let s: TestServer
beforeAll(async () => {
  s = await testServer()
})
afterAll(() => s.close())

describe('pools API', () => {
  test('it creates, lists, reads, renames and deletes a pool', async () => {
    const created = await s.api('POST', '/api/v1/pools', { name: 'Production web', preset: 'generic' })
    expect(created.status).toBe(201)
    expect(created.json).toEqual({ id: expect.stringMatching(/^pool_/), name: 'Production web', preset: 'generic' })
    const id = created.json.id

    const list = await s.api('GET', '/api/v1/pools')
    expect(list.status).toBe(200)
    expect(list.json).toContainEqual(
      expect.objectContaining({ id, name: 'Production web', preset: 'generic', memberCount: 0, activeMemberId: null }),
    )

    const one = await s.api('GET', `/api/v1/pools/${id}`)
    expect(one.json.name).toBe('Production web')

    const renamed = await s.api('PATCH', `/api/v1/pools/${id}`, { name: 'Prod web' })
    expect(renamed.status).toBe(200)
    expect(renamed.json.name).toBe('Prod web')

    const deleted = await s.api('DELETE', `/api/v1/pools/${id}`)
    expect(deleted.status).toBe(204)
    expect((await s.api('GET', `/api/v1/pools/${id}`)).status).toBe(404)
  })

  test('it refuses a second pool with the same name, ignoring case', async () => {
    expect((await s.api('POST', '/api/v1/pools', { name: 'Edge', preset: 'generic' })).status).toBe(201)
    const again = await s.api('POST', '/api/v1/pools', { name: 'EDGE', preset: 'generic' })
    expect(again.status).toBe(409)
    expect(again.json.error).toEqual({ code: 'conflict', message: 'A pool named "EDGE" already exists' })
  })

  test.each([
    ['an empty name', { name: '', preset: 'generic' }],
    ['a blank name', { name: '   ', preset: 'generic' }],
    ['an unknown preset', { name: 'X', preset: 'haproxy' }],
    ['a missing preset', { name: 'X' }],
    ['a name that is too long', { name: 'x'.repeat(81), preset: 'generic' }],
    ['an unknown field', { name: 'X', preset: 'generic', owner: 'me' }],
    ['a number for a name', { name: 5, preset: 'generic' }],
  ])('it refuses %s with 422 and creates nothing', async (_label, body) => {
    const before = (await s.api('GET', '/api/v1/pools')).json.length
    const res = await s.api('POST', '/api/v1/pools', body)
    expect(res.status).toBe(422)
    expect(res.json.error.code).toBe('invalid_input')
    expect(res.json.error.message.length).toBeGreaterThan(3)
    expect((await s.api('GET', '/api/v1/pools')).json.length).toBe(before)
  })

  test('it answers malformed JSON with 400', async () => {
    const res = await s.handle('/api/v1/pools', {
      method: 'POST',
      headers: { authorization: `Bearer ${'sctl_test_admin_token_0123456789'}`, 'content-type': 'application/json' },
      body: '{"name": ',
    })
    expect(res.status).toBe(400)
    expect((await res.json()).error.code).toBe('bad_request')
  })

  test('it refuses a body over the size limit with 413', async () => {
    const res = await s.api('POST', '/api/v1/pools', { name: 'big', preset: 'generic', pad: 'x'.repeat(70_000) })
    expect(res.status).toBe(413)
    expect(res.json.error.code).toBe('too_large')
  })

  test('it answers unknown ids with 404 in the error shape', async () => {
    for (const [method, body] of [['GET'], ['PATCH', { name: 'y' }], ['DELETE']] as const) {
      const res = await s.api(method, '/api/v1/pools/pool_nope', body)
      expect(res.status).toBe(404)
      expect(res.json).toEqual({ error: { code: 'not_found', message: 'Pool not found' } })
    }
  })

  test('it refuses requests without a valid token with 401', async () => {
    expect((await s.api('GET', '/api/v1/pools', undefined, null)).status).toBe(401)
    const bad = await s.api('GET', '/api/v1/pools', undefined, 'sctl_wrong')
    expect(bad.status).toBe(401)
    expect(bad.json.error.code).toBe('unauthorized')
  })
})
