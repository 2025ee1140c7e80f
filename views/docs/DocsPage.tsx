// A readable rendering of the OpenAPI document the server serves, so the API
// is documented without loading a UI bundle from anywhere else. Bodies and
// answers read as lists of fields, not as JSON Schema.
import { Card } from '../components/ui'
import { contentSchema, resolverFor, shapesOf, typeName, type Resolve, type Shape } from '../../src/docs/fields'

type Content = Record<string, { schema?: unknown }>

type Operation = {
  summary?: string
  description?: string
  tags?: string[]
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: unknown }[]
  requestBody?: { content?: Content }
  responses?: Record<string, { description?: string; content?: Content }>
}

export type OpenApiDoc = {
  info: { title: string; version: string }
  paths: Record<string, Record<string, Operation>>
  components?: { schemas?: Record<string, unknown>; [other: string]: unknown }
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete']

function groups(doc: OpenApiDoc) {
  const byTag = new Map<string, { method: string; path: string; op: Operation }[]>()
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method]
      if (!op) continue
      const tag = op.tags?.[0] ?? 'Other'
      if (!byTag.has(tag)) byTag.set(tag, [])
      byTag.get(tag)!.push({ method, path, op })
    }
  }
  return [...byTag.entries()]
}

type Row = { name: string; type: string; required: boolean; description: string }

function FieldTable({ rows }: { rows: Row[] }) {
  return (
    <div class="table-wrap">
      <table class="table fields">
        <thead>
          <tr>
            <th>Field</th>
            <th>Type</th>
            <th>Required</th>
            <th>Description</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <td>
                <code safe>{r.name}</code>
              </td>
              <td>
                <code safe>{r.type}</code>
              </td>
              <td>{r.required ? 'yes' : 'no'}</td>
              <td safe>{r.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function Shapes({ shapes }: { shapes: Shape[] }) {
  return (
    <>
      {shapes.map((shape) => (
        <>
          {shape.when ? (
            <p>
              When{' '}
              {shape.when.map((w, i) => (
                <>
                  {i ? ', ' : ''}
                  <code safe>{w.field}</code> is <code safe>{w.value}</code>
                </>
              ))}:
            </p>
          ) : (
            ''
          )}
          {shape.list && shape.rows.length ? <p class="muted">An array; each item has:</p> : ''}
          {shape.rows.length ? (
            <FieldTable rows={shape.rows} />
          ) : (
            <p class="muted" safe>
              {shape.type}
            </p>
          )}
        </>
      ))}
    </>
  )
}

function Parameters({ params, resolve }: { params: NonNullable<Operation['parameters']>; resolve: Resolve }) {
  if (params.length === 0) return ''
  const rows = params.map((p) => ({
    name: p.in === 'query' ? `?${p.name}` : `{${p.name}}`,
    type: typeName((p.schema ?? {}) as object, resolve),
    required: !!p.required,
    description: p.description ?? (p.in === 'path' ? 'In the path' : 'In the query string'),
  }))
  return (
    <>
      <h3>Parameters</h3>
      <FieldTable rows={rows} />
    </>
  )
}

function Responses({ responses, resolve }: { responses: NonNullable<Operation['responses']>; resolve: Resolve }) {
  const entries = Object.entries(responses)
  const ok = entries.filter(([status]) => status.startsWith('2'))
  const failed = entries.filter(([status]) => !status.startsWith('2')).map(([status]) => status)
  return (
    <>
      <h3>Responses</h3>
      {ok.map(([status, r]) => {
        const shapes = shapesOf(contentSchema(r.content), resolve)
        return (
          <div class="response">
            <p>
              <code safe>{status}</code> {shapes.length === 0 || shapes[0]!.type === 'nothing' ? <span class="muted">no body</span> : ''}
            </p>
            {shapes.length && shapes[0]!.type !== 'nothing' ? <Shapes shapes={shapes} /> : ''}
          </div>
        )
      })}
      {failed.length ? (
        <p>
          <code safe>{failed.join(', ')}</code> <span class="muted">the error answer described at the top of this page</span>
        </p>
      ) : (
        ''
      )}
    </>
  )
}

export function DocsPage({ doc }: { doc: OpenApiDoc }) {
  const resolve = resolverFor(doc)
  return (
    <div class="page">
      <header class="page-head">
        <div>
          <h1>API</h1>
          <p class="muted">
            Send <code>Authorization: Bearer &lt;token&gt;</code> with a token from{' '}
            <a href="/account/tokens">API tokens</a>. Errors answer <code>{'{"error": {"code", "message"}}'}</code> with a
            4xx status, and <code>fields</code> with a message for each refused field when there are several. The
            machine-readable document is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.
          </p>
        </div>
      </header>
      {groups(doc).map(([tag, ops]) => (
        <Card title={tag}>
          {ops.map(({ method, path, op }) => {
            const body = shapesOf(contentSchema(op.requestBody?.content), resolve)
            return (
              <details class="endpoint">
                <summary>
                  <span class={`method method-${method}`} safe>{method.toUpperCase()}</span> <code safe>{path}</code>{' '}
                  <span class="muted" safe>
                    {op.summary ?? ''}
                  </span>
                </summary>
                {op.description ? <p safe>{op.description}</p> : ''}
                <Parameters params={op.parameters ?? []} resolve={resolve} />
                {body.length ? (
                  <>
                    <h3>Request body</h3>
                    <Shapes shapes={body} />
                  </>
                ) : (
                  ''
                )}
                <Responses responses={op.responses ?? {}} resolve={resolve} />
              </details>
            )
          })}
        </Card>
      ))}
    </div>
  )
}
