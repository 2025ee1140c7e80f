// A readable rendering of the OpenAPI document the server serves, so the API
// is documented without loading a UI bundle from anywhere else.
import { Card } from '../components/ui'

type Operation = {
  summary?: string
  description?: string
  tags?: string[]
  parameters?: { name: string; in: string; required?: boolean }[]
  requestBody?: { content?: Record<string, { schema?: unknown }> }
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>
}

export type OpenApiDoc = { info: { title: string; version: string }; paths: Record<string, Record<string, Operation>> }

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

const schemaOf = (c?: Record<string, { schema?: unknown }>) => {
  const first = c && Object.values(c)[0]
  return first?.schema ? JSON.stringify(first.schema, null, 2) : null
}

export function DocsPage({ doc }: { doc: OpenApiDoc }) {
  return (
    <div class="page">
      <header class="page-head">
        <div>
          <h1>API</h1>
          <p class="muted">
            Send <code>Authorization: Bearer &lt;token&gt;</code> with a token from{' '}
            <a href="/account/tokens">API tokens</a>. Errors answer <code>{'{"error": {"code", "message"}}'}</code> with a
            4xx status. The machine-readable document is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.
          </p>
        </div>
      </header>
      {groups(doc).map(([tag, ops]) => (
        <Card title={tag}>
          {ops.map(({ method, path, op }) => {
            const body = schemaOf(op.requestBody?.content)
            return (
              <details class="endpoint">
                <summary>
                  <span class={`method method-${method}`} safe>{method.toUpperCase()}</span> <code safe>{path}</code>{' '}
                  <span class="muted" safe>
                    {op.summary ?? ''}
                  </span>
                </summary>
                {op.description ? <p safe>{op.description}</p> : ''}
                {body ? (
                  <>
                    <h3>Request body</h3>
                    <pre safe>{body}</pre>
                  </>
                ) : (
                  ''
                )}
                <h3>Responses</h3>
                <ul>
                  {Object.entries(op.responses ?? {}).map(([status, r]) => (
                    <li>
                      <code safe>{status}</code>{' '}
                      {schemaOf(r.content) ? <pre safe>{schemaOf(r.content)!}</pre> : <span class="muted" safe>{r.description ?? ''}</span>}
                    </li>
                  ))}
                </ul>
              </details>
            )
          })}
        </Card>
      ))}
    </div>
  )
}
