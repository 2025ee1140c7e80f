// The Cloudflare stand-in answers in the shapes of Cloudflare's OpenAPI
// document (the parts kept in cloudflare-schemas.ts), successes and refusals.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { start, type CloudflareStandin } from './cloudflare'
import { CLOUDFLARE_COMPONENTS as C } from './cloudflare-schemas'
import { schemaErrors } from './json-schema'

const TOKEN = 'cf-test-token'
let cf: CloudflareStandin
let zoneId: string
let enterpriseId: string

beforeAll(async () => {
  cf = await start()
})
afterAll(async () => {
  await cf?.stop()
})
beforeEach(() => {
  cf.state.reset()
  cf.state.tokens = new Set([TOKEN])
  zoneId = cf.state.addZone('example.com').id
  enterpriseId = cf.state.addZone('example.net', { enterprise: true }).id
})

type Answer = { status: number; headers: Headers; json: any }

async function api(method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(cf.url + path, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, headers: res.headers, json: await res.json() }
}

const records = (zone = zoneId) => `/zones/${zone}/dns_records`

function expectFits(schema: string, answer: Answer, except: string[] = []) {
  expect(schemaErrors(C[schema]!, answer.json, C).filter((e) => !except.includes(e))).toEqual([])
}

/** A refusal in the failure envelope, with these codes at the top and, for a 1004, these in its error_chain. */
function expectRefusal(answer: Answer, status: number, codes: number[], chain: number[] = [], except: string[] = []) {
  expect(answer.status).toBe(status)
  expectFits('dns-records_api-response-common-failure', answer, except)
  expect(answer.json.errors.map((e: { code: number }) => e.code)).toEqual(codes)
  const links = answer.json.errors.flatMap((e: { error_chain?: unknown[] }) => e.error_chain ?? [])
  expect(schemaErrors(C['dns-records_messages']!, links, C)).toEqual([])
  expect(links.map((e: { code: number }) => e.code)).toEqual(chain)
}

const A = { type: 'A', name: 'www.example.com', content: '192.0.2.1', ttl: 300, proxied: false }

describe('Cloudflare stand-in against the OpenAPI document', () => {
  test('the check finds a wrong shape (it is not vacuous)', async () => {
    const created = await api('POST', records(), A)
    const { id: _id, ...noId } = created.json.result
    for (const broken of [
      { ...created.json, result: noId },
      { ...created.json, result: { ...created.json.result, ttl: 5 } },
      { ...created.json, result: { ...created.json.result, content: '2001:db8::1' } },
      { ...created.json, success: false },
    ]) {
      expect(schemaErrors(C['dns-records_dns_response_single']!, broken, C).length).toBeGreaterThan(0)
    }
  })

  test('zones list', async () => {
    const all = await api('GET', '/zones?per_page=50')
    expectFits('zones_list_response', all)
    expect(all.json.result.map((z: { name: string }) => z.name).sort()).toEqual(['example.com', 'example.net'])
    expectFits('zones_list_response', await api('GET', '/zones?name=example.com'))
  })

  test('dns_records list, create, edit and delete', async () => {
    cf.state.addRecord('example.com', { name: 'example.com', type: 'MX', content: 'mail.example.com', priority: 10, ttl: 3600 })
    cf.state.addRecord('example.com', { name: '_sip._udp.example.com', type: 'SRV', data: { priority: 10, weight: 5, port: 5060, target: 'sip.example.com' }, ttl: 600 })
    cf.state.addRecord('example.com', { name: 'alias.example.com', type: 'CNAME', content: 'www.example.com', proxied: true })
    const created = await api('POST', records(), A)
    expect(created.status).toBe(200)
    expectFits('dns-records_dns_response_single', created)
    expectFits('dns-records_dns_response_single', await api('POST', records(), { type: 'AAAA', name: 'www.example.com', content: '2001:db8::1', ttl: 1 }))

    const list = await api('GET', `${records()}?per_page=100`)
    expectFits('dns-records_dns_response_collection', list)
    expect(list.json.result.length).toBe(5)
    expectFits('dns-records_dns_response_collection', await api('GET', `${records()}?name.exact=www.example.com&type=A`))

    const id = created.json.result.id
    expectFits('dns-records_dns_response_single', await api('PATCH', `${records()}/${id}`, { content: '192.0.2.2' }))
    expectFits('dns-records_dns_response_single', await api('GET', `${records()}/${id}`))
    const deleted = await api('DELETE', `${records()}/${id}`)
    expectFits('dns-records_delete_response', deleted)
    expect(deleted.json.result).toEqual({ id })
  })

  test('a TTL under 60 is a 1004 with 9021 in its error_chain; an Enterprise zone takes 30', async () => {
    for (const ttl of [2, 30, 59]) {
      const refused = await api('POST', records(), { ...A, ttl })
      expectRefusal(refused, 400, [1004], [9021])
      expect(refused.json.errors[0].message).toBe('DNS Validation Error')
      expect(refused.json.errors[0].error_chain[0].message).toBe('TTL must be between 60 and 86400 seconds, or 1 for Automatic.')
    }
    for (const ttl of [1, 60, 86400]) expect((await api('POST', records(), { ...A, content: `192.0.2.${ttl % 250}`, ttl })).status).toBe(200)

    const net = { ...A, name: 'www.example.net' }
    expect((await api('POST', records(enterpriseId), { ...net, ttl: 30 })).status).toBe(200)
    const refused = await api('POST', records(enterpriseId), { ...net, content: '192.0.2.9', ttl: 29 })
    expectRefusal(refused, 400, [1004], [9021])
    expect(refused.json.errors[0].error_chain[0].message).toBe('TTL must be between 30 and 86400 seconds, or 1 for Automatic.')
  })

  test('a bad value is a 1004 with the reason in its error_chain', async () => {
    expectRefusal(await api('POST', records(), { ...A, content: '300.1.1.1' }), 400, [1004], [9005])
  })

  test('an A record beside a CNAME is 81054, a CNAME beside an A record is 81053', async () => {
    cf.state.addRecord('example.com', { name: 'alias.example.com', type: 'CNAME', content: 'target.example.org' })
    expectRefusal(await api('POST', records(), { ...A, name: 'alias.example.com' }), 400, [81054])
    expectRefusal(await api('POST', records(), { type: 'AAAA', name: 'alias.example.com', content: '2001:db8::1' }), 400, [81054])
    await api('POST', records(), A)
    expectRefusal(await api('POST', records(), { type: 'CNAME', name: 'www.example.com', content: 'target.example.org' }), 400, [81053])
  })

  test('a record that is gone is a 404 with 81044, also when it vanishes between listing and writing', async () => {
    expectRefusal(await api('PATCH', `${records()}/${'0'.repeat(32)}`, { content: '192.0.2.2' }), 404, [81044])
    const id = (await api('POST', records(), A)).json.result.id
    cf.state.vanishBeforeNextWrite()
    expectRefusal(await api('PATCH', `${records()}/${id}`, { content: '192.0.2.2' }), 404, [81044])
    expect(cf.state.find('example.com', 'www.example.com')).toEqual([])
  })

  test('rate limited: 429 with Retry-After and 971 on every call until the time is up', async () => {
    cf.state.rateLimitFor(300)
    for (const answer of [await api('GET', '/zones'), await api('POST', records(), A)]) {
      // The document says codes start at 1000; the live API's rate-limit refusal is 971 all the same.
      expectRefusal(answer, 429, [971], [], ['$.errors[0].code: 971 is below 1000'])
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(299)
      expect(Number(answer.headers.get('retry-after'))).toBeLessThanOrEqual(300)
    }
    cf.state.rateLimitFor(0)
    expect((await api('GET', '/zones')).status).toBe(200)
  })

  test('per_page is taken from 1 to 5,000,000 for records (the documented bounds)', async () => {
    const bounds = C['dns-records_per_page']!
    expect((await api('GET', `${records()}?per_page=${bounds.minimum}`)).status).toBe(200)
    expect((await api('GET', `${records()}?per_page=${bounds.maximum}`)).status).toBe(200)
    expect((await api('GET', `${records()}?per_page=${Number(bounds.maximum) + 1}`)).status).toBe(400)
  })
})
