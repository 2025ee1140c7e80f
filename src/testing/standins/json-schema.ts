// A small checker for the OpenAPI 3.0 schema keywords the stand-ins' response
// schemas use. TypeBox (the one schema library in node_modules) only checks
// schemas it built itself (Value.Check on a plain JSON schema throws
// "Unknown type"), so the subset is written out here.
//
// Supported: $ref (to #/components/schemas/...), allOf, anyOf, oneOf, type
// with nullable, enum, properties, required, items, minItems, maxItems,
// minimum, maximum, minLength/maxLength/pattern on strings, and format
// ipv4, ipv6, hostname, date-time. Other keywords (description, example,
// readOnly, ...) are annotations and are ignored, as JSON Schema does.

export type Schema = { [keyword: string]: unknown }
export type Components = Record<string, Schema>

/** Every way value breaks schema, each as "path: what"; empty when it fits. */
export function schemaErrors(schema: Schema, value: unknown, components: Components, path = '$'): string[] {
  if (typeof schema.$ref === 'string') return schemaErrors(resolve(schema.$ref, components), value, components, path)
  return [
    ...typeErrors(schema, value, path),
    ...enumErrors(schema, value, path),
    ...combinationErrors(schema, value, components, path),
    ...(value === null ? [] : [...stringErrors(schema, value, path), ...numberErrors(schema, value, path)]),
    ...objectErrors(schema, value, components, path),
    ...arrayErrors(schema, value, components, path),
  ]
}

function resolve(ref: string, components: Components): Schema {
  const name = ref.replace('#/components/schemas/', '')
  const target = components[name]
  if (!target) throw new Error(`schema ${ref} is not in the kept subset`)
  return target
}

const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)

function typeErrors(schema: Schema, value: unknown, path: string): string[] {
  const type = schema.type as string | undefined
  if (!type) return []
  if (value === null) return schema.nullable === true ? [] : [`${path}: is null, expected ${type}`]
  const actual = typeOf(value)
  const fits = type === 'integer' ? Number.isInteger(value) : type === 'number' ? actual === 'number' : actual === type
  return fits ? [] : [`${path}: is ${actual}, expected ${type}`]
}

function enumErrors(schema: Schema, value: unknown, path: string): string[] {
  const options = schema.enum as unknown[] | undefined
  if (!options) return []
  const same = (a: unknown) => JSON.stringify(a) === JSON.stringify(value)
  return options.some(same) ? [] : [`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(options)}`]
}

function combinationErrors(schema: Schema, value: unknown, components: Components, path: string): string[] {
  const out: string[] = []
  for (const part of (schema.allOf as Schema[] | undefined) ?? []) out.push(...schemaErrors(part, value, components, path))
  const anyOf = schema.anyOf as Schema[] | undefined
  if (anyOf && !anyOf.some((s) => schemaErrors(s, value, components, path).length === 0)) {
    out.push(`${path}: fits none of anyOf (${anyOf.map((s) => schemaErrors(s, value, components, path)[0]).join(' | ')})`)
  }
  const oneOf = schema.oneOf as Schema[] | undefined
  if (oneOf) {
    const results = oneOf.map((s) => schemaErrors(s, value, components, path))
    const fitting = results.filter((r) => r.length === 0).length
    if (fitting !== 1) out.push(`${path}: fits ${fitting} of oneOf, expected exactly 1 (${closest(results)})`)
  }
  return out
}

/** The errors of the alternative that came nearest, to say why none fit. */
function closest(results: string[][]): string {
  const best = [...results].sort((a, b) => a.length - b.length)[0] ?? []
  return best.join('; ')
}

function stringErrors(schema: Schema, value: unknown, path: string): string[] {
  if (typeof value !== 'string') return []
  const out: string[] = []
  if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) out.push(`${path}: longer than ${schema.maxLength}`)
  if (typeof schema.minLength === 'number' && value.length < schema.minLength) out.push(`${path}: shorter than ${schema.minLength}`)
  if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(value)) out.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`)
  const format = schema.format as string | undefined
  if (format && FORMATS[format] && !FORMATS[format](value)) out.push(`${path}: ${JSON.stringify(value)} is not a ${format}`)
  return out
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/i
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/

const FORMATS: Record<string, (s: string) => boolean> = {
  ipv4: (s) => IPV4.test(s),
  ipv6: (s) => {
    if (!s.includes(':') || !/^[0-9a-fA-F:.]+$/.test(s)) return false
    try {
      return new URL(`http://[${s}]/`).hostname.length > 2
    } catch {
      return false
    }
  },
  hostname: (s) => HOSTNAME.test(s),
  'date-time': (s) => DATE_TIME.test(s) && !Number.isNaN(Date.parse(s)),
}

function numberErrors(schema: Schema, value: unknown, path: string): string[] {
  if (typeof value !== 'number') return []
  const out: string[] = []
  if (typeof schema.minimum === 'number' && value < schema.minimum) out.push(`${path}: ${value} is below ${schema.minimum}`)
  if (typeof schema.maximum === 'number' && value > schema.maximum) out.push(`${path}: ${value} is above ${schema.maximum}`)
  return out
}

function objectErrors(schema: Schema, value: unknown, components: Components, path: string): string[] {
  if (typeOf(value) !== 'object') return []
  const obj = value as Record<string, unknown>
  const out: string[] = []
  for (const key of (schema.required as string[] | undefined) ?? []) if (!(key in obj)) out.push(`${path}: ${key} is missing`)
  const props = (schema.properties as Record<string, Schema> | undefined) ?? {}
  for (const [key, sub] of Object.entries(props)) if (key in obj) out.push(...schemaErrors(sub, obj[key], components, `${path}.${key}`))
  return out
}

function arrayErrors(schema: Schema, value: unknown, components: Components, path: string): string[] {
  if (!Array.isArray(value)) return []
  const out: string[] = []
  if (typeof schema.minItems === 'number' && value.length < schema.minItems) out.push(`${path}: fewer than ${schema.minItems} items`)
  if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) out.push(`${path}: more than ${schema.maxItems} items`)
  const items = schema.items as Schema | undefined
  if (items) value.forEach((item, i) => out.push(...schemaErrors(items, item, components, `${path}[${i}]`)))
  return out
}
