// The frame of a member's page in a large pool: it reads the first members
// for the row, not all of them, and still says what the overview says.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { failoverConfigs, failoverEvents, members, pools } from '../db/schema'
import { testServer, visibleText, type Browser, type TestServer } from '../testing/harness'

let s: TestServer
let b: Browser
beforeAll(async () => {
  s = await testServer()
  b = await s.browser().signIn()
})
afterAll(() => s.close())

const memberRow = (html: string) => /<nav class="member-tabs"[\s\S]*?<\/nav>/.exec(html)![0]
const rowIds = (html: string) => [...memberRow(html).matchAll(/data-member-id="(\w+)"/g)].map((m) => m[1])
const big = (i: number) => `mem_big${String(i).padStart(2, '0')}`

describe('a member page in a pool of 40', () => {
  test('it holds the first 24 members in its row, the one on screen, the count of the rest, and names the banner\'s members', async () => {
    const pool = (await s.api('POST', '/api/v1/pools', { name: 'Big', preset: 'generic' })).json.id
    const at = Date.now() - 3_600_000
    await s.db.insert(members).values(
      Array.from({ length: 40 }, (_, i) => ({ id: big(i), poolId: pool, name: `big-${i}`, hostname: `big-${i}.example.com`, createdAt: new Date(at + i * 1000) })),
    )
    await s.db.insert(failoverConfigs).values({ poolId: pool, enabled: true })
    await s.db.update(pools).set({ activeMemberId: big(32) }).where(eq(pools.id, pool))
    await s.db.insert(failoverEvents).values({ id: 'fo_big', poolId: pool, fromMemberId: big(31), toMemberId: big(32), reason: 'active_down', status: 'done', detectedAt: new Date(), completedAt: new Date() })

    const page = await b.get(`/pools/${pool}/members/${big(35)}`)
    expect(page.status).toBe(200)
    expect(rowIds(page.text)).toEqual([...Array.from({ length: 23 }, (_, i) => big(i)), big(35)])
    expect(memberRow(page.text)).toContain(`aria-current="page" data-member-id="${big(35)}"`)
    expect(visibleText(memberRow(page.text))).toContain('16 more on the overview')
    expect(visibleText(page.text)).toContain('Active member changed from big-31 to big-32; no DNS result was recorded.')

    // The overview agrees, from every member.
    const overview = await b.get(`/pools/${pool}`)
    expect(rowIds(overview.text)).toEqual(Array.from({ length: 24 }, (_, i) => big(i)))
    expect(visibleText(memberRow(overview.text))).toContain('16 more on the overview')
    expect(visibleText(overview.text)).toContain('Active member changed from big-31 to big-32; no DNS result was recorded.')
  })
})
