// Seeded, deterministic mutations of a valid JSON body, for fuzzing routes: the
// same seed sends the same bodies, so a failure found once can be replayed.

export type Rng = () => number

/** mulberry32: small, fast, and good enough to pick mutations. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)]!

const nested = (depth: number, asArray: boolean): unknown => {
  let v: unknown = 1
  for (let i = 0; i < depth; i++) v = asArray ? [v] : { a: v }
  return v
}

// Values chosen for what broke or could break a store: NUL (PostgreSQL text and
// jsonb cannot hold it), lone surrogates (jsonb refuses them), numbers outside
// integer, bigint and real, and shapes no schema expects.
const NUL_STRINGS = ['\u0000', 'a\u0000b', '\u0000\u0000\u0000', 'mem_\u0000']
const ODD_STRINGS = [
  '', ' ', 'x'.repeat(300), 'x'.repeat(20_000), '💥'.repeat(200), '\ud800', 'a\udfffb', '\u202eevil', 'e\u0301', '\uffff', '\u0001\u001f',
  "'; drop table pools; --", '../../etc/passwd', '%00', '\\u0000', '<script>alert(1)</script>', 'null', 'true', '1e308', '-1', ' 42 ', '25', '0x10',
  '2026-13-45T99:99:99Z', 'ÄÖÜ ß 日本語', '__proto__',
]
const NUMBERS = [
  1e308, -1e308, 5e-324, 1e-300, -1e-300, -1, -0.5, 0.5, 1.5, 123.456, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 2 ** 53 + 2, 2 ** 63, 2 ** 64, -(2 ** 63), 1e21,
  Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0, -0, 61, 65536, 100.0001,
]
const SHAPES: (() => unknown)[] = [
  () => null, () => true, () => false, () => ({}), () => [], () => 'text', () => 7, () => [1, 2, 3], () => ({ a: 1 }),
  () => JSON.parse('{"__proto__": {"admin": true}}'), () => ({ constructor: { prototype: 1 } }),
  () => nested(64, true), () => nested(1000, false), () => nested(5000, true), () => Array(3000).fill('x'),
]

/** A value to put where `old` was: a near miss of its own type, or another shape. */
export function oddValue(rng: Rng, old: unknown): unknown {
  const r = rng()
  if (typeof old === 'string' && r < 0.35) return pick(rng, NUL_STRINGS).replace('a', old.slice(0, 40) || 'a')
  if (typeof old === 'string' && r < 0.7) return pick(rng, ODD_STRINGS)
  if (typeof old === 'number' && r < 0.7) return pick(rng, NUMBERS)
  if (r < 0.8) return pick(rng, SHAPES)()
  if (r < 0.9) return pick(rng, NUMBERS)
  return rng() < 0.5 ? pick(rng, NUL_STRINGS) : pick(rng, ODD_STRINGS)
}

type Path = (string | number)[]

function paths(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at)
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...at, i], out))
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out)
  return out
}

// Plain assignment of "__proto__" would change the prototype instead of adding a field.
const put = (obj: any, key: string | number, value: unknown) =>
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true })

function parentOf(root: unknown, path: Path): any {
  let node: any = root
  for (const key of path.slice(0, -1)) node = node[key]
  return node
}

/** One mutation of `body` in place (the root itself is replaced through the return value). */
function mutateOnce(rng: Rng, body: unknown): { body: unknown; what: string } {
  const all = paths(body)
  const path = pick(rng, all)
  const where = path.length ? path.join('.') : '(root)'
  const op = rng()
  if (!path.length) {
    if (op < 0.5 && body && typeof body === 'object' && !Array.isArray(body)) {
      const key = pick(rng, ['extra', 'isAdmin', '__proto__', 'constructor', '\u0000', 'x'.repeat(300)])
      put(body, key, oddValue(rng, undefined))
      return { body, what: `extra field ${JSON.stringify(key.slice(0, 20))} at root` }
    }
    const value = oddValue(rng, body)
    return { body: value, what: `root replaced by ${describe(value)}` }
  }
  const parent = parentOf(body, path)
  const key = path.at(-1)!
  if (op < 0.12) {
    if (Array.isArray(parent)) parent.splice(key as number, 1)
    else delete parent[key]
    return { body, what: `${where} removed` }
  }
  if (op < 0.2 && parent[key] && typeof parent[key] === 'object' && !Array.isArray(parent[key])) {
    put(parent[key], pick(rng, ['extra', '\u0000key', 'ünï', 'constructor', '__proto__']), oddValue(rng, 'x'))
    return { body, what: `extra field in ${where}` }
  }
  if (op < 0.26) {
    put(parent, key, Array.isArray(parent[key]) ? { ...parent[key] } : [parent[key]])
    return { body, what: `${where} wrapped or turned into an object` }
  }
  const value = oddValue(rng, parent[key])
  put(parent, key, value)
  return { body, what: `${where} = ${describe(value)}` }
}

function describe(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v)
  return text.length > 60 ? `${text.slice(0, 60)}… (${text.length} chars)` : text
}

/** One to three mutations of a copy of `valid`. */
export function mutate(rng: Rng, valid: unknown): { body: unknown; what: string } {
  let body = structuredClone(valid)
  const whats: string[] = []
  const n = 1 + Math.floor(rng() * rng() * 3)
  for (let i = 0; i < n; i++) {
    const m = mutateOnce(rng, body)
    body = m.body
    whats.push(m.what)
  }
  return { body, what: whats.join('; ') }
}

/** Request bodies that are not JSON at all, or not what the header says. */
export const RAW_BODIES = ['', '{', '{"a":', 'null', '[]', '"x"', '1e999', '{"a":1}{"b":2}', 'nul\u0000', '\ufeff{}', '['.repeat(20_000)]

/** Ids put in a route's path in place of a real one. */
export const ODD_IDS = ['%00', 'mem_%00x', encodeURIComponent('a\u0000'), 'x'.repeat(3000), '%ZZ', '..%2F..%2Fetc', '%F0%9F%92%A5%ED%A0%80', '%20', "'"]
