// One check on every request, after parsing and before any schema or handler:
// strings PostgreSQL cannot store and bodies nested past any real use are
// refused with 400, so no route can forget them. The schemas refuse the same
// strings (Text in api-schemas.ts); this is the backstop.
import { Elysia } from 'elysia'
import { HttpError } from './errors'

/**
 * Deeper than any form, API call or heartbeat nests. A body some thousands of
 * levels deep overflowed the stack of the schema check's error message (a 500),
 * and in a jsonb column it wedged the embedded database.
 */
export const MAX_DEPTH = 32

/** What in `text` PostgreSQL cannot store, or null. */
export function unstorable(text: string): string | null {
  // text and jsonb refuse U+0000; jsonb refuses half of a surrogate pair.
  if (text.includes('\u0000')) return 'a NUL character (\\u0000)'
  if (!text.isWellFormed()) return 'half of a Unicode surrogate pair'
  return null
}

type Finding = { where: string; problem: string }

// Not only plain objects: Bun's path params have a prototype of their own. Uploads are left alone.
const isContainer = (v: unknown): v is object => v !== null && typeof v === 'object' && !(v instanceof Blob)

const step = (where: string, key: string, array: boolean) => (array ? `${where}[${key}]` : `${where}.${key.length > 40 ? `${key.slice(0, 40)}…` : key}`)

/** Where a node sits: spelled out only for what is refused, since building a path for every node cost more than the check. */
type Path = { parent: Path; key: string; inArray: boolean } | null
const spell = (path: Path, root: string): string => (path ? step(spell(path.parent, root), path.key, path.inArray) : root)

/** The first place in `value` holding a string that cannot be stored, or nested past MAX_DEPTH. */
export function findUnstorable(value: unknown, root: string): Finding | null {
  if (typeof value === 'string') {
    const problem = unstorable(value)
    return problem ? { where: root, problem: `holds ${problem}` } : null
  }
  // A loop, not recursion: the value may be as deep as the body limit allows.
  const pending: { node: object; depth: number; path: Path }[] = isContainer(value) ? [{ node: value, depth: 0, path: null }] : []
  while (pending.length) {
    const { node, depth, path } = pending.pop()!
    if (depth >= MAX_DEPTH) return { where: spell(path, root), problem: `is nested deeper than ${MAX_DEPTH} levels` }
    const array = Array.isArray(node)
    for (const key of Object.keys(node)) {
      const keyProblem = array ? null : unstorable(key)
      if (keyProblem) return { where: spell(path, root), problem: `has a field name holding ${keyProblem}` }
      const child = (node as Record<string, unknown>)[key]
      if (typeof child === 'string') {
        const problem = unstorable(child)
        if (problem) return { where: step(spell(path, root), key, array), problem: `holds ${problem}` }
      } else if (isContainer(child)) {
        pending.push({ node: child, depth: depth + 1, path: { parent: path, key, inArray: array } })
      }
    }
  }
  return null
}

export function inputGuard() {
  return new Elysia({ name: 'input-guard' }).onTransform({ as: 'global' }, ({ params, query, body }) => {
    const found = findUnstorable(params, 'path') ?? findUnstorable(query, 'query') ?? findUnstorable(body, 'body')
    if (found) throw new HttpError(400, 'bad_input', `Refused: ${found.where} ${found.problem}, which this server does not accept.`)
  })
}
