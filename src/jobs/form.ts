// A job from a browser form: fields named `p.<param>` become the job's
// parameters, typed by the job's schema (a number field arrives as text; a
// list is written one per line or comma-separated).
import { Value } from '@sinclair/typebox/value'
import type { TSchema } from 'elysia'
import { isJobName } from '../../agent/jobs/catalogue'
import { jobRules } from './params'

const PREFIX = 'p.'

function propertySchema(name: string, key: string): TSchema | undefined {
  if (!isJobName(name)) return undefined
  return (jobRules[name].params as { properties?: Record<string, TSchema> }).properties?.[key]
}

export function paramsFromForm(name: string, body: Record<string, string>): Record<string, unknown> {
  const params: Record<string, unknown> = {}
  for (const [field, raw] of Object.entries(body)) {
    if (!field.startsWith(PREFIX)) continue
    const key = field.slice(PREFIX.length)
    const value = raw.trim()
    // An empty optional field is "not given", not an empty string.
    if (value === '') continue
    const schema = propertySchema(name, key)
    if (schema?.type === 'array') params[key] = value.split(/[\s,]+/).filter(Boolean)
    else if (schema) params[key] = Value.Convert(schema, value)
    else params[key] = value
  }
  return params
}
