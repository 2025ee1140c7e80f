// The fleet map's dots from the database's cells: pure, so tested directly.
import { describe, expect, test } from 'bun:test'
import { layoutFleetMap, worstOf } from './clusters'
import { parseCellIds, cellPlace } from './cells'
import type { MapCell } from '../members/store'

const cell = (row: number, col: number, counts: MapCell['counts'], lat: number, lon: number, only: MapCell['only'] = null): MapCell => ({ row, col, counts, lat, lon, only })

describe('layoutFleetMap', () => {
  test('a cell of one is its member, a cell of several a cluster with its count and worst status', () => {
    const map = layoutFleetMap('pool_x', [
      cell(17, 20, [0, 0, 0, 1], 52.37, 4.9, { id: 'mem_a', name: 'ams-1', label: 'Amsterdam' }),
      cell(10, 40, [1, 0, 2, 1200], -33.87, 151.21),
    ])
    expect(map.points.map((p) => [p.id, p.status, p.href])).toEqual([['mem_a', 'healthy', '/pools/pool_x/members/mem_a/']])
    expect(map.clusters.map((c) => [c.cell, c.count, c.worst, c.tone, c.short, c.text])).toEqual([
      ['10.40', 1203, 'down', 'bad', '1.2k', '1,203 servers, worst down (1 down, 2 pending, 1,200 healthy)'],
    ])
    expect(map.legend).toEqual([
      { status: 'healthy', tone: 'ok', n: 1201 },
      { status: 'down', tone: 'bad', n: 1 },
      { status: 'pending', tone: 'muted', n: 2 },
    ])
  })

  test('cells whose dots would overlap are one dot naming both; far ones stay apart', () => {
    const map = layoutFleetMap('pool_x', [
      cell(17, 20, [0, 0, 0, 5], 50.1, 8.95),
      cell(17, 21, [0, 1, 0, 0], 50.1, 9.05, { id: 'mem_b', name: 'fra-east', label: null }),
      cell(16, 20, [0, 0, 0, 3], 41.9, 4.5),
    ])
    expect(map.points).toEqual([])
    expect(map.clusters.map((c) => [c.cell, c.count, c.worst]).sort()).toEqual([
      ['16.20', 3, 'healthy'],
      ['17.20,17.21', 6, 'late'],
    ])
  })

  test('the worst status is the first present of down, late, pending, healthy', () => {
    expect(worstOf([0, 0, 3, 9])).toBe('pending')
    expect(worstOf([0, 2, 3, 9])).toBe('late')
    expect(worstOf([0, 0, 0, 9])).toBe('healthy')
  })
})

describe('cells in a URL', () => {
  test('one or several cells of the grid, each once', () => {
    expect(parseCellIds('17.20')).toEqual([{ row: 17, col: 20 }])
    expect(parseCellIds('17.20,17.21,17.20')).toEqual([{ row: 17, col: 20 }, { row: 17, col: 21 }])
    expect(cellPlace([{ row: 17, col: 20 }, { row: 17, col: 21 }])).toBe('46°N to 54°N, 0° to 18°E')
    expect(cellPlace([{ row: 22, col: 39 }])).toBe('86°N to 90°N, 171°E to 180°E')
  })

  test.each(['', '23.0', '0.40', 'a.b', '1.2.3', '1.2,', '-1.2', '01234.5'])('refuses %p', (raw) => {
    expect(parseCellIds(raw)).toBeNull()
  })
})
