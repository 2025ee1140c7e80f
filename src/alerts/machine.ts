// One alert's life: ok → pending → firing → resolving → ok. A delay on the way
// down and another on the way back, so a flapping condition sends one email
// per real change of state, not one per tick.
export type AlertPhase = 'ok' | 'pending' | 'firing' | 'resolving'
export type AlertState = { state: AlertPhase; since: Date; firedAt: Date | null }
export type Delays = { downAfterMs: number; upAfterMs: number }
export type Step = { next: AlertState; notify: 'fired' | 'resolved' | null }

export function step(prev: AlertState | null, bad: boolean, now: Date, d: Delays): Step {
  const p = prev ?? { state: 'ok' as const, since: now, firedAt: null }
  const held = (ms: number) => now.getTime() - p.since.getTime() >= ms
  const fire = (): Step => ({ next: { state: 'firing', since: now, firedAt: now }, notify: 'fired' })
  const recover = (): Step => ({ next: { state: 'ok', since: now, firedAt: null }, notify: 'resolved' })
  const same: Step = { next: p, notify: null }
  switch (p.state) {
    case 'ok':
      if (!bad) return same
      return d.downAfterMs === 0 ? fire() : { next: { state: 'pending', since: now, firedAt: null }, notify: null }
    case 'pending':
      if (!bad) return { next: { state: 'ok', since: now, firedAt: null }, notify: null }
      return held(d.downAfterMs) ? fire() : same
    case 'firing':
      if (bad) return same
      return d.upAfterMs === 0 ? recover() : { next: { state: 'resolving', since: now, firedAt: p.firedAt }, notify: null }
    case 'resolving':
      // Back to firing quietly: the first email still stands.
      if (bad) return { next: { state: 'firing', since: now, firedAt: p.firedAt }, notify: null }
      return held(d.upAfterMs) ? recover() : same
  }
}
