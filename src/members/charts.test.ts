import { describe, expect, test } from 'bun:test'
import { chartSeries, BUCKETS } from './charts'
import { Chart } from '../../views/members/Chart'

const now = new Date('2026-11-26T12:00:00Z')
const minute = (m: number) => new Date(now.getTime() - m * 60_000)
const point = (m: number, cpu: number | null, load = 0.5, mem = 1) => ({
  memberId: 'mem_x', minute: minute(m), cpuPercent: cpu, memUsedBytes: mem, memTotalBytes: 4, diskUsedBytes: 9, diskTotalBytes: 10, load1: load,
})

describe('24-hour charts', () => {
  test('they average the minutes of each quarter hour and leave gaps where nothing arrived', () => {
    const points = [point(10, 10), point(11, 30), point(5 * 60, 50), point(25 * 60, 99)]
    const [cpu, mem, disk, load] = chartSeries(points, now)
    expect(cpu!.buckets).toHaveLength(BUCKETS)
    expect(cpu!.buckets.at(-1)!.value).toBe(20)
    expect(cpu!.buckets.filter((b) => b.value !== null).map((b) => b.value)).toEqual([50, 20])
    expect(cpu!.latest).toBe(10)
    expect(mem!.latest).toBe(25)
    expect(disk!.latest).toBe(90)
    expect(load!.max).toBe(1)
  })

  test('the SVG shows each bucket\'s value on hover and escapes nothing unsafe', async () => {
    const [cpu] = chartSeries([point(10, 10), point(11, 30)], now)
    const svg = await Chart({ series: cpu! })
    expect(svg).toContain('<title>11:45 UTC: 20%</title>')
    expect(svg).toContain('class="chart-line"')
    expect(svg).toContain('<span>CPU</span> <strong>10%</strong>')
  })

  test('the latest value is shown to one decimal, as the buckets are', async () => {
    const [, mem] = chartSeries([point(3, 10, 0.5, 1.1234567)], now)
    expect(mem!.latest).toBe(28.1)
    expect(await Chart({ series: mem! })).toContain('<strong>28.1%</strong>')
  })

  test('a member heard from for a few minutes only still gets a visible line: its bucket drawn across its width', async () => {
    const [cpu] = chartSeries([point(3, 40)], now)
    const svg = String(await Chart({ series: cpu! }))
    const line = /class="chart-line" d="([^"]*)"/.exec(svg)![1]!
    expect(line).toMatch(/^M[\d.]+,[\d.]+L[\d.]+,[\d.]+$/)
    const [x1, x2] = [...line.matchAll(/([\d.]+),/g)].map((m) => Number(m[1]))
    expect(x2! - x1!).toBeCloseTo(3, 0) // one bucket: 288 / 96 units wide
    expect(/class="chart-area" d="M[^"]*Z"/.test(svg)).toBe(true)
  })
})
