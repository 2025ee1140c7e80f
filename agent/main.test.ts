import { describe, expect, test } from 'bun:test'
import { runCommand } from './main'

describe('serversctl-agent', () => {
  test('it prints its version', () => {
    const out: string[] = []
    expect(runCommand(['version'], (s) => out.push(s), () => {})).toBe(0)
    expect(out).toEqual(['dev'])
  })

  test('it refuses an unknown command with usage and exit code 2', () => {
    const err: string[] = []
    expect(runCommand(['frobnicate'], () => {}, (s) => err.push(s))).toBe(2)
    expect(err[0]).toContain('unknown command "frobnicate"')
    expect(err[0]).toContain('Usage:')
  })
})
