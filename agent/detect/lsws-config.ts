// The LiteSpeed config format: `key value` lines and `kind name { ... }`
// blocks, nested, with `<<<TAG ... TAG` here-documents for multi-line values.

export type LsBlock = { kind: string; name: string; entries: [string, string][]; blocks: LsBlock[] }

export function parseLsConfig(text: string): LsBlock {
  const top: LsBlock = { kind: '', name: '', entries: [], blocks: [] }
  const stack = [top]
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim()
    if (!line || line.startsWith('#')) continue
    const current = stack[stack.length - 1]
    if (line === '}') {
      if (stack.length > 1) stack.pop()
      continue
    }
    if (line.endsWith('{')) {
      const [kind = '', ...rest] = line.slice(0, -1).trim().split(/\s+/)
      const block: LsBlock = { kind, name: rest.join(' '), entries: [], blocks: [] }
      current.blocks.push(block)
      stack.push(block)
      continue
    }
    const m = /^(\S+)\s*(.*)$/.exec(line)
    if (!m) continue
    let value = m[2].trim()
    // Rewrite rules and the like live in here-documents and may hold braces.
    if (value.startsWith('<<<')) {
      const tag = value.slice(3).trim()
      const body: string[] = []
      while (++i < lines.length && lines[i].trim() !== tag) body.push(lines[i])
      value = body.join('\n')
    }
    current.entries.push([m[1], value])
  }
  return top
}

/** The first value of key in a block, compared case-insensitively as LiteSpeed does. */
export function entry(block: LsBlock, key: string): string | null {
  const k = key.toLowerCase()
  return block.entries.find(([name]) => name.toLowerCase() === k)?.[1] ?? null
}

export function entries(block: LsBlock, key: string): string[] {
  const k = key.toLowerCase()
  return block.entries.filter(([name]) => name.toLowerCase() === k).map(([, v]) => v)
}

export function children(block: LsBlock, kind: string): LsBlock[] {
  const k = kind.toLowerCase()
  return block.blocks.filter((b) => b.kind.toLowerCase() === k)
}

export const SERVER_ROOT = '/usr/local/lsws'

/** Expands $SERVER_ROOT, $VH_NAME and $VH_ROOT; relative paths are relative to the server root. */
export function lsPath(value: string, vars: { vhName?: string; vhRoot?: string | null } = {}): string {
  let p = value
    .replace(/\$SERVER_ROOT/g, SERVER_ROOT)
    .replace(/\$VH_NAME/g, vars.vhName ?? '$VH_NAME')
    .replace(/\$VH_ROOT/g, vars.vhRoot ?? '$VH_ROOT')
  if (!p.startsWith('/')) p = `${SERVER_ROOT}/${p}`
  p = p.replace(/\/+/g, '/')
  return p.length > 1 ? p.replace(/\/$/, '') : p
}
