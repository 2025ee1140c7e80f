// The Control panel's Resources card as a new member's owner sees it: charts
// over the history there is, and each figure said once.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { visibleText, type Browser, type TestServer } from '../testing/harness'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import { memberWith, signedInWithPool } from '../jobs/tab-fixture'
import { upsertMetric } from './store'

let s: TestServer
let b: Browser
let poolId: string
beforeAll(async () => ({ s, b, poolId } = await signedInWithPool('Charts')))
afterAll(() => s.close())

/** The Resources card of a Control panel page. */
function resourcesCard(html: string): string {
  const start = html.indexOf('<h2>Resources')
  expect(start).toBeGreaterThan(-1)
  return html.slice(start, html.indexOf('</section>', start))
}

async function heardFor(name: string, minutes: number) {
  const member = await memberWith(s, poolId, name, sampleHeartbeat())
  const now = Math.floor(Date.now() / 60_000) * 60_000
  for (let m = 0; m < minutes; m++) {
    await upsertMetric(s.db, { memberId: member.id, minute: new Date(now - m * 60_000), cpuPercent: 10 + m, memUsedBytes: 2 * 2 ** 30, memTotalBytes: 4 * 2 ** 30, diskUsedBytes: 20 * 2 ** 30, diskTotalBytes: 80 * 2 ** 30, load1: 0.42 })
  }
  return member
}

describe('Control panel charts', () => {
  test('a member heard from for three minutes has charts of the last 15 minutes with its three minutes drawn', async () => {
    const member = await heardFor('new-1', 3)
    const card = resourcesCard((await b.get(member.tab('control'))).text)
    expect(visibleText(card).trim()).toStartWith('Resources, last 15 minutes')
    const hovers = [...card.matchAll(/<title>\d\d:\d\d UTC: ([^<]+)<\/title>/g)].map((m) => m[1])
    // Four charts of 15 one-minute buckets; the CPU chart holds the minutes heard.
    expect(hovers).toHaveLength(60)
    expect(hovers.slice(0, 15).filter((v) => v !== 'no data')).toEqual(['12%', '11%', '10%'])
  })

  test('each figure is said once: the chart captions, no KPI row repeating them', async () => {
    const member = await heardFor('new-2', 2)
    const card = resourcesCard((await b.get(member.tab('control'))).text)
    expect(card).not.toContain('class="kpis"')
    const text = visibleText(card)
    for (const label of ['CPU', 'Memory', 'Disk', 'Load']) expect(text.split(label).length - 1).toBe(1)
    expect(text).toContain('Memory 2.0 GiB of 4.0 GiB 50%')
    expect(text).toContain('Disk 1 filesystem 25%')
  })
})
