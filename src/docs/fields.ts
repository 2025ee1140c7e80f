// A JSON Schema from the OpenAPI document as a person reads a form: one row
// per field (name, type, required, description), nested fields by dotted
// name, each variant of a union on its own.

type Schema = {
  $ref?: string
  type?: string | string[]
  format?: string
  const?: unknown
  enum?: unknown[]
  anyOf?: Schema[]
  oneOf?: Schema[]
  allOf?: Schema[]
  items?: Schema
  properties?: Record<string, Schema>
  required?: string[]
  patternProperties?: Record<string, Schema>
  additionalProperties?: boolean | Schema
  description?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  minItems?: number
  maxItems?: number
}

export type FieldRow = { name: string; type: string; required: boolean; description: string }
/** One shape a body may take: its rows, and what sets it apart from the others ("kind is cloudflare"). */
export type Shape = { when: { field: string; value: string }[] | null; list: boolean; rows: FieldRow[]; type: string }

export type Resolve = (ref: string) => Schema | undefined

const NESTING = 4

const isNull = (s: Schema) => s.type === 'null'
const variantsOf = (s: Schema) => s.anyOf ?? s.oneOf ?? null
const isObject = (s: Schema) => s.type === 'object' || !!s.properties

function deref(s: Schema | undefined, resolve: Resolve, seen = 0): Schema {
  if (!s) return {}
  if (s.$ref && seen < 10) return deref(resolve(s.$ref), resolve, seen + 1)
  if (s.allOf?.length) return { ...s, ...mergeAll(s.allOf.map((x) => deref(x, resolve, seen + 1))) }
  return s
}

function mergeAll(parts: Schema[]): Schema {
  return {
    type: 'object',
    properties: Object.assign({}, ...parts.map((p) => p.properties ?? {})),
    required: parts.flatMap((p) => p.required ?? []),
  }
}

/** The schema without its `null` alternative, and whether it had one. */
function withoutNull(s: Schema): { schema: Schema; nullable: boolean } {
  const variants = variantsOf(s)
  if (!variants?.some(isNull)) return { schema: s, nullable: false }
  const rest = variants.filter((v) => !isNull(v))
  return { schema: rest.length === 1 ? { description: s.description, ...rest[0]! } : { ...s, anyOf: rest, oneOf: undefined }, nullable: true }
}

function range(min: number | undefined, max: number | undefined, unit: string): string | null {
  if (min === undefined && max === undefined) return null
  if (min !== undefined && max !== undefined) return `${min} to ${max}${unit}`
  return min !== undefined ? `at least ${min}${unit}` : `at most ${max}${unit}`
}

function limits(s: Schema): string[] {
  return [
    range(s.minLength, s.maxLength, ' characters'),
    range(s.minimum, s.maximum, ''),
    range(s.minItems, s.maxItems, ' items'),
  ].filter((x): x is string => !!x)
}

export function typeName(raw: Schema, resolve: Resolve): string {
  const { schema: s, nullable } = withoutNull(deref(raw, resolve))
  const name = bareTypeName(s, resolve)
  return nullable ? `${name} or null` : name
}

function bareTypeName(s: Schema, resolve: Resolve): string {
  if (s.const !== undefined) return JSON.stringify(s.const)
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ')
  const variants = variantsOf(s)
  if (variants) return [...new Set(withoutCoercion(variants.map((v) => deref(v, resolve))).map((v) => typeName(v, resolve)))].join(' | ')
  if (s.type === 'array') return `array of ${plural(typeName(s.items ?? {}, resolve))}`
  if (s.type === 'void') return 'nothing'
  if (isObject(s) && !s.properties) {
    const values = s.patternProperties ? Object.values(s.patternProperties)[0] : typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined
    return values ? `map of names to ${plural(typeName(values, resolve))}` : 'object'
  }
  if (isObject(s)) return 'object'
  if (Array.isArray(s.type)) return s.type.join(' or ')
  if (s.type) return s.format ? `${s.type} (${s.format})` : s.type
  return 'any'
}

/** Elysia also takes a number or boolean written as a string; the field's type is still the number. */
const withoutCoercion = (variants: Schema[]) =>
  variants.filter((v) => !(v.type === 'string' && v.format && variants.some((o) => o.type === v.format)))

const plural = (type: string) => (type === 'any' ? 'any values' : /^(string|integer|number|boolean|object)\b/.test(type) ? type.replace(/^(\w+)/, '$1s') : type)

function describe(s: Schema, raw: Schema): string {
  const text = raw.description ?? s.description ?? ''
  const bounds = limits(s)
  return [text, bounds.length ? bounds.join(', ') : ''].filter(Boolean).join('; ')
}

/** The rows of an object's fields, nested objects and arrays of objects spelled out under their parent. */
export function fieldRows(raw: Schema, resolve: Resolve, prefix = '', depth = 0): FieldRow[] {
  const s = deref(raw, resolve)
  const required = new Set(s.required ?? [])
  return Object.entries(s.properties ?? {}).flatMap(([key, prop]) => {
    const name = `${prefix}${key}`
    const inner = withoutNull(deref(prop, resolve)).schema
    const row = { name, type: typeName(prop, resolve), required: required.has(key), description: describe(inner, prop) }
    if (depth >= NESTING) return [row]
    if (inner.properties) return [row, ...fieldRows(inner, resolve, `${name}.`, depth + 1)]
    const item = inner.type === 'array' ? withoutNull(deref(inner.items, resolve)).schema : null
    if (item?.properties) return [row, ...fieldRows(item, resolve, `${name}[].`, depth + 1)]
    return [row]
  })
}

/** What sets a variant apart: the fields whose value is fixed in it ("kind is cloudflare"). */
function variantLabel(s: Schema): Shape['when'] {
  const fixed = Object.entries(s.properties ?? {}).filter(([, p]) => p.const !== undefined)
  return fixed.length ? fixed.map(([field, p]) => ({ field, value: JSON.stringify(p.const) })) : null
}

/** A body or answer as the shapes it may take, each a list of fields. */
export function shapesOf(raw: Schema | undefined, resolve: Resolve): Shape[] {
  if (!raw) return []
  const s = deref(raw, resolve)
  const list = s.type === 'array'
  const top = list ? withoutNull(deref(s.items, resolve)).schema : s
  const variants = variantsOf(top)
  if (variants && variants.every((v) => isObject(deref(v, resolve)))) {
    return variants.map((v) => {
      const d = deref(v, resolve)
      return { when: variantLabel(d), list, rows: fieldRows(d, resolve), type: typeName(raw, resolve) }
    })
  }
  return [{ when: null, list, rows: top.properties ? fieldRows(top, resolve) : [], type: typeName(raw, resolve) }]
}

/** The schema of a request body or answer: JSON when it is offered, else the first. */
export function contentSchema(content: Record<string, { schema?: unknown }> | undefined): Schema | undefined {
  if (!content) return undefined
  return (content['application/json'] ?? Object.values(content)[0])?.schema as Schema | undefined
}

/** Resolves "#/components/schemas/X" in the document. */
export function resolverFor(doc: { components?: { schemas?: Record<string, unknown> } }): Resolve {
  return (ref) => {
    const name = /^#\/components\/schemas\/(.+)$/.exec(ref)?.[1]
    return name ? (doc.components?.schemas?.[name] as Schema | undefined) : undefined
  }
}
