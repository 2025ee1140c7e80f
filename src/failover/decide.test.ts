import { describe, expect, test } from 'bun:test'
import { decide, orderMembers, type Candidate, type Situation } from './decide'
import { deadlinesFor } from '../members/status'

const now = new Date('2026-11-26T12:00:00Z')
const ago = (s: number) => new Date(now.getTime() - s * 1000)

/** A member last heard `silent` seconds ago, healthy for `stableFor` seconds before that. */
const m = (id: string, silent: number | null, stableFor = 3600, galera: Candidate['galera'] = null): Candidate => ({
  id,
  ...deadlinesFor(silent === null ? null : ago(silent), 10, 30),
  healthySince: silent === null ? null : ago(silent + stableFor),
  galera,
})

const situation = (members: Candidate[], over: Partial<Situation> = {}): Situation => ({
  now,
  activeMemberId: 'a',
  members,
  delaySeconds: 30,
  autoFailback: false,
  failbackAfterSeconds: 300,
  ...over,
})

describe('decide', () => {
  test.each([
    ['a healthy active member', [m('a', 2), m('b', 2)], { kind: 'none' }],
    ['one late heartbeat (silent 20 s, delay 30 s)', [m('a', 20), m('b', 2)], { kind: 'none' }],
    ['silent exactly the delay', [m('a', 30), m('b', 2)], { kind: 'none' }],
    ['silent past the delay', [m('a', 31), m('b', 2)], { kind: 'cut', from: 'a', to: 'b', reason: 'active_down' }],
    ['a dead active and a silent standby', [m('a', 60), m('b', 40)], { kind: 'blocked', from: 'a', reason: 'no_healthy_standby' }],
    ['a standby that never reported', [m('a', 60), m('b', null)], { kind: 'blocked', from: 'a', reason: 'no_healthy_standby' }],
    ['the first standby in order down, the second fine', [m('a', 60), m('b', 40), m('c', 3)], { kind: 'cut', from: 'a', to: 'c', reason: 'active_down' }],
    ['a standby back only 5 s ago (flapping)', [m('a', 60), m('b', 2, 5)], { kind: 'blocked', from: 'a', reason: 'no_healthy_standby' }],
    ['a Galera standby not Synced', [m('a', 60), m('b', 2, 3600, { clusterStatus: 'Primary', localState: 'Donor/Desynced' })], { kind: 'blocked', from: 'a', reason: 'no_healthy_standby' }],
    ['a Galera standby in a non-Primary component', [m('a', 60), m('b', 2, 3600, { clusterStatus: 'non-Primary', localState: 'Synced' })], { kind: 'blocked', from: 'a', reason: 'no_healthy_standby' }],
    ['a Galera standby Synced in Primary', [m('a', 60), m('b', 2, 3600, { clusterStatus: 'Primary', localState: 'Synced' })], { kind: 'cut', from: 'a', to: 'b', reason: 'active_down' }],
  ] as const)('with %s it decides %p', (_l, members, expected) => {
    expect(decide(situation([...members]))).toEqual(expected as never)
  })

  test('with no active member it starts on the first eligible one', () => {
    expect(decide(situation([m('a', 40), m('b', 2)], { activeMemberId: null }))).toEqual({ kind: 'cut', from: null, to: 'b', reason: 'initial' })
    expect(decide(situation([m('a', null)], { activeMemberId: null }))).toEqual({ kind: 'none' })
  })

  test('it fails back only when enabled, and only after the first member has been healthy long enough', () => {
    const back = [m('a', 2, 600), m('b', 2)]
    expect(decide(situation(back, { activeMemberId: 'b' }))).toEqual({ kind: 'none' })
    expect(decide(situation(back, { activeMemberId: 'b', autoFailback: true }))).toEqual({ kind: 'cut', from: 'b', to: 'a', reason: 'failback' })
    const notYet = [m('a', 2, 120), m('b', 2)]
    expect(decide(situation(notYet, { activeMemberId: 'b', autoFailback: true }))).toEqual({ kind: 'none' })
  })

  test('member order puts the listed ones first and keeps the rest in their own order', () => {
    const ordered = orderMembers([{ id: 'a' }, { id: 'b' }, { id: 'c' }, { id: 'd' }], ['c', 'a'])
    expect(ordered.map((x) => x.id)).toEqual(['c', 'a', 'b', 'd'])
  })
})
