// Test helpers: read back the compact SVG path data that world.ts writes.

/** The rings of an "M x y l dx dy … z" path, as absolute points. */
export function decodePath(d: string): [number, number][][] {
  const rings: [number, number][][] = []
  let ring: [number, number][] = []
  let x = 0
  let y = 0
  let cmd = ''
  let pending: number[] = []
  const tokens = d.match(/[MLZmlz]|-?(?:\d+\.?\d*|\.\d+)/g) ?? []
  const flush = () => {
    if (ring.length) rings.push(ring)
    ring = []
  }
  for (const t of tokens) {
    if (/^[MLZmlz]$/.test(t)) {
      cmd = t
      if ((cmd === 'z' || cmd === 'Z') && ring.length) {
        ;[x, y] = ring[0]!
        flush()
      }
      if (cmd === 'M') flush()
      continue
    }
    pending.push(Number(t))
    if (pending.length < 2) continue
    const [a, b] = pending as [number, number]
    pending = []
    if (cmd === 'M' || cmd === 'L') {
      x = a
      y = b
      if (cmd === 'M') cmd = 'L'
    } else if (cmd === 'l' || cmd === 'm') {
      x += a
      y += b
      if (cmd === 'm') cmd = 'l'
    } else throw new Error(`unexpected command ${cmd}`)
    ring.push([Math.round(x * 10) / 10, Math.round(y * 10) / 10])
  }
  flush()
  return rings
}

/** Even-odd point-in-polygon over all rings, the way SVG fills them by default (nonzero agrees for land). */
export function insideRings(rings: [number, number][][], px: number, py: number): boolean {
  let inside = false
  for (const r of rings) {
    for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
      const [xi, yi] = r[i]!
      const [xj, yj] = r[j]!
      if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside
    }
  }
  return inside
}
