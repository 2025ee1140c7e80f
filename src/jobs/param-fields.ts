// The form fields of a catalogue job's parameters, read from its schema, for
// the pages that let a person pick any job (schedules, fleet-wide runs). Field
// names are `p.<param>`, as paramsFromForm reads them.
import type { TSchema } from 'elysia'
import { catalogue, isJobName, type JobName } from '../../agent/jobs/catalogue'
import { jobRules } from './params'

export type ParamField = {
  key: string
  label: string
  kind: 'text' | 'list' | 'choice' | 'flag'
  required: boolean
  choices?: string[]
  hint?: string
}

const humanize = (key: string) => {
  const words = key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()
  return words[0]!.toUpperCase() + words.slice(1)
}

function fieldOf(key: string, schema: TSchema, required: boolean): ParamField {
  const label = humanize(key)
  const hint = (schema.description ?? schema.error) as string | undefined
  const literals = (schema.anyOf as TSchema[] | undefined)?.filter((s) => s.const !== undefined).map((s) => String(s.const))
  if (literals?.length && literals.length === (schema.anyOf as TSchema[]).length) return { key, label, kind: 'choice', required, choices: literals, hint: schema.description as string | undefined }
  if (schema.type === 'boolean') return { key, label, kind: 'flag', required, hint: schema.description as string | undefined }
  if (schema.type === 'array') return { key, label, kind: 'list', required, hint: `${hint ? `${hint}; ` : ''}several, separated by commas` }
  return { key, label, kind: 'text', required, hint }
}

export function paramFields(name: JobName): ParamField[] {
  const schema = jobRules[name].params as { properties?: Record<string, TSchema>; required?: string[] }
  const required = new Set(schema.required ?? [])
  return Object.entries(schema.properties ?? {}).map(([key, s]) => fieldOf(key, s, required.has(key)))
}

export type JobChoice = { name: JobName; title: string; confirm: boolean; fields: ParamField[] }

export const jobChoices = (names: readonly JobName[]): JobChoice[] =>
  names.map((name) => ({ name, title: catalogue[name].title, confirm: !!(catalogue[name] as { confirm?: boolean }).confirm, fields: paramFields(name) }))

/**
 * The form field a refusal is about: `p.<param>` when the message names a
 * parameter ("Bad parameters for x: params.user: ..."), else the field the
 * refusal itself names.
 */
export function refusalField(refusal: { field: string; message: string }, name: string): string {
  if (refusal.field !== 'params') return refusal.field
  const key = /: params\.([A-Za-z0-9_]+)/.exec(refusal.message)?.[1]
  if (key && isJobName(name) && paramFields(name).some((f) => f.key === key)) return `p.${key}`
  return 'params'
}

/** The `p.<param>` fields of a posted form as typed, by parameter, to fill the form in again. */
export const paramValues = (body: Record<string, string>) =>
  Object.fromEntries(Object.entries(body).filter(([k]) => k.startsWith('p.')).map(([k, v]) => [k.slice(2), v]))
