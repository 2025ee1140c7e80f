// The Overview's Fleet geography: compact until a member has a location, the
// full map once one does, on the page and in the tiles' poll alike.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Browser, TestServer } from '../testing/harness'
import { memberWith, signedInWithPool } from '../jobs/tab-fixture'

let s: TestServer
let b: Browser
let poolId: string
let memberId: string
beforeAll(async () => {
  ;({ s, b, poolId } = await signedInWithPool('Geo'))
  memberId = (await memberWith(s, poolId, 'web-1')).id
})
afterAll(() => s.close())

/** The opening tag of the fleet map's figure. */
const mapTag = (html: string) => /<figure class="[^"]*" id="fleet-map">/.exec(html)?.[0] ?? ''

describe('Fleet geography', () => {
  test('with no member located it is compact: no 450 px map, no cropped globe', async () => {
    const html = (await b.get(`/pools/${poolId}`)).text
    expect(mapTag(html)).toBe('<figure class="world-map world-map-compact" id="fleet-map">')
    expect(html).toContain("No member has a location yet. Set one on a member's Settings tab.")
    expect(html).not.toContain('class="wm-ocean"')
  })

  test('once a member has a location the full map shows it, on the page and in the poll', async () => {
    const res = await s.api('PATCH', `/api/v1/members/${memberId}`, { location: { lat: 52.37, lon: 4.9, label: 'Amsterdam' } })
    expect(res.status).toBe(200)
    for (const path of [`/pools/${poolId}`, `/pools/${poolId}/tiles`]) {
      const html = (await b.get(path)).text
      expect(mapTag(html)).toBe('<figure class="world-map" id="fleet-map">')
      expect(html).toContain(`data-member-id="${memberId}"`)
    }
  })
})
