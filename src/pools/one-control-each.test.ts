// One control for each thing a pool page offers: one "Add server", and pool
// settings only as the Settings tab.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { visibleText, type Browser, type TestServer } from '../testing/harness'
import { memberWith, signedInWithPool } from '../jobs/tab-fixture'

let s: TestServer
let b: Browser
let poolId: string
beforeAll(async () => ({ s, b, poolId } = await signedInWithPool('Controls')))
afterAll(() => s.close())

/** The links on the page that open the Add server form. */
const addServerLinks = (html: string, pool: string) =>
  [...html.matchAll(new RegExp(`<a [^>]*href="/pools/${pool}/members/new"[^>]*>([^<]*)</a>`, 'g'))].map((m) => m[1]!.trim())

describe('one control each', () => {
  test('an empty pool offers Add server once, and pool settings only as the Settings tab', async () => {
    const html = (await b.get(`/pools/${poolId}`)).text
    expect(addServerLinks(html, poolId)).toEqual(['Add server'])
    expect(visibleText(html)).not.toContain('Pool settings')
    expect([...html.matchAll(new RegExp(`href="/pools/${poolId}/settings"`, 'g'))]).toHaveLength(1)
  })

  test("on an empty pool's other tabs the member row still offers it, once", async () => {
    expect(addServerLinks((await b.get(`/pools/${poolId}/monitoring`)).text, poolId)).toEqual(['+ Add server'])
  })

  test('a pool with members offers it once, in the member row, on the Overview and on a member page', async () => {
    const member = await memberWith(s, poolId, 'web-1')
    expect(addServerLinks((await b.get(`/pools/${poolId}`)).text, poolId)).toEqual(['+ Add server'])
    expect(addServerLinks((await b.get(member.tab('control'))).text, poolId)).toEqual(['+ Add server'])
  })
})
