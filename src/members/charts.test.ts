import { describe, expect, test } from 'bun:test'
import { chartSeries, CHART_WINDOWS } from './charts'
import { Chart } from '../../views/members/Chart'

const now = new Date('2026-11-26T12:00:30Z')
const minute = (m: number) => new Date(Math.floor(now.getTime() / 60_000) * 60_000 - m * 60_000)
const point = (m: number, cpu: number | null, load = 0.5, mem = 1) => ({
  memberId: 'mem_x', minute: minute(m), cpuPercent: cpu, memUsedBytes: mem, memTotalBytes: 4, diskUsedBytes: 9, diskTotalBytes: 10, load1: load,
})
const filled = (buckets: { value: number | null }[]) => buckets.filter((b) => b.value !== null).map((b) => b.value)

describe('chart windows sized to the history there is', () => {
  test('a member heard from for three minutes gets the last 15 minutes, one bucket a minute, the current minute last', () => {
    const [cpu] = chartSeries([point(2, 10), point(1, 20), point(0, 30)], now)
    expect(cpu!.span).toBe('last 15 minutes')
    expect(cpu!.buckets).toHaveLength(15)
    expect(cpu!.buckets.slice(-3).map((b) => b.value)).toEqual([10, 20, 30])
    expect(cpu!.buckets.at(-1)!.at.toISOString()).toBe('2026-11-26T12:00:00.000Z')
  })

  test('no history yet: the shortest window, every bucket empty', () => {
    const [cpu] = chartSeries([], now)
    expect(cpu!.span).toBe('last 15 minutes')
    expect(filled(cpu!.buckets)).toEqual([])
  })

  test('the window grows with the history: the shortest that holds the oldest point of the day', () => {
    const spanFor = (minutesAgo: number) => chartSeries([point(minutesAgo, 1), point(0, 2)], now)[0]!
    expect(spanFor(14).span).toBe('last 15 minutes')
    expect(spanFor(15).span).toBe('last hour')
    expect(spanFor(40).buckets).toHaveLength(60)
    expect(spanFor(61).span).toBe('last 3 hours')
    expect(spanFor(5 * 60).span).toBe('last 6 hours')
    expect(spanFor(5 * 60).buckets).toHaveLength(72)
    expect(spanFor(11 * 60).span).toBe('last 12 hours')
    expect(spanFor(20 * 60).span).toBe('last 24 hours')
    expect(spanFor(20 * 60).buckets).toHaveLength(96)
    for (const w of CHART_WINDOWS) expect(w.minutes % w.bucketMinutes).toBe(0)
  })

  test('a day of history: 96 quarter hours, minutes averaged, gaps left where nothing arrived', () => {
    const points = [point(10, 10), point(11, 30), point(5 * 60, 50), point(23 * 60 + 40, 70), point(25 * 60, 99)]
    const [cpu, mem, disk, load] = chartSeries(points, now)
    expect(cpu!.span).toBe('last 24 hours')
    expect(cpu!.buckets).toHaveLength(96)
    // 11:49 and 11:50 share the quarter hour 11:45; 12:00 is the last bucket, empty.
    expect(cpu!.buckets.at(-2)!.value).toBe(20)
    expect(cpu!.buckets.at(-1)!.value).toBeNull()
    expect(filled(cpu!.buckets)).toEqual([70, 50, 20])
    expect(cpu!.latest).toBe(10)
    expect(mem!.latest).toBe(25)
    expect(disk!.latest).toBe(90)
    expect(load!.max).toBe(1)
  })
})

describe('the chart', () => {
  test('it shows each bucket\'s value on hover, the window in its label, and escapes nothing unsafe', async () => {
    const [cpu] = chartSeries([point(1, 10), point(0, 30)], now)
    const svg = await Chart({ series: cpu! })
    expect(svg).toContain('<title>11:59 UTC: 10%</title>')
    expect(svg).toContain('<title>12:00 UTC: 30%</title>')
    expect(svg).toContain('aria-label="CPU, last 15 minutes"')
    expect(svg).toContain('class="chart-line"')
    expect(svg).toContain('<span>CPU</span> <strong>30%</strong>')
  })

  test('what the percentage is of stands in the caption, escaped', async () => {
    const [, mem] = chartSeries([point(0, 10)], now)
    expect(await Chart({ series: mem!, detail: '2 GiB of <4 GiB>' })).toContain('<span>Memory</span><small class="chart-detail">2 GiB of &lt;4 GiB&gt;</small> <strong>25%</strong>')
  })

  test('the latest value is shown to one decimal, as the buckets are', async () => {
    const [, mem] = chartSeries([point(3, 10, 0.5, 1.1234567)], now)
    expect(mem!.latest).toBe(28.1)
    expect(await Chart({ series: mem! })).toContain('<strong>28.1%</strong>')
  })

  test('a lone bucket is drawn across its width, not as a line of no length', async () => {
    const day = [point(20 * 60, 10), point(3, 40)]
    const [cpu] = chartSeries(day, now)
    const svg = String(await Chart({ series: cpu! }))
    const line = /class="chart-line" d="([^"]*)"/.exec(svg)![1]!
    expect(line).toMatch(/^M[\d.]+,[\d.]+L[\d.]+,[\d.]+M[\d.]+,[\d.]+L[\d.]+,[\d.]+$/)
    const [x1, x2] = [...line.matchAll(/([\d.]+),/g)].map((m) => Number(m[1]))
    expect(x2! - x1!).toBeCloseTo(3, 0) // one bucket: 288 / 96 units wide
    expect(/class="chart-area" d="M[^"]*Z"/.test(svg)).toBe(true)
  })
})
