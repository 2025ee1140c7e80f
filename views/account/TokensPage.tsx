import type { ApiToken } from '../../src/auth/store'
import { Card, CopyButton, EmptyState, Field, Notice, PostForm, Time, Table } from '../components/ui'

export type TokensForm = { name: string; error?: string | null; created?: { name: string; secret: string } }

export function TokensPage({ tokens, form, csrf }: { tokens: ApiToken[]; form: TokensForm; csrf: string | null }) {
  return (
    <div class="page">
      <header class="page-head">
        <div>
          <h1>API tokens</h1>
          <p class="muted">
            Tokens act as you on the JSON API (<code>Authorization: Bearer …</code>). They are stored hashed and shown
            only once.
          </p>
        </div>
      </header>
      {form.created ? (
        <Notice kind="ok">
          <p>
            Token <strong safe>{form.created.name}</strong> created. Copy it now: it will not be shown again.
          </p>
          <div class="copy-row">
            <code class="secret" id="new-token" safe>
              {form.created.secret}
            </code>
            <CopyButton selector="#new-token" />
          </div>
        </Notice>
      ) : (
        ''
      )}
      <Card title="New token">
        <PostForm action="/account/tokens" csrf={csrf} class="inline-form">
          <Field label="Name" name="name" value={form.name} error={form.error} required maxlength={80} placeholder="terraform" />
          <button type="submit" class="button primary">
            Create token
          </button>
        </PostForm>
      </Card>
      <Card title="Your tokens">
        {tokens.length === 0 ? (
          <EmptyState title="No API tokens" />
        ) : (
          <Table id="tokens-table" columns={['Name', 'Token', 'Created', 'Last used', '']}>
              {tokens.map((token) => (
                <tr>
                  <td safe>{token.name}</td>
                  <td>
                    <code safe>…{token.lastFour}</code>
                  </td>
                  <td>
                    <Time at={token.createdAt} />
                  </td>
                  <td>
                    <Time at={token.lastUsedAt} />
                  </td>
                  <td class="num">
                    <PostForm
                      action={`/account/tokens/${token.id}/revoke`}
                      csrf={csrf}
                      attrs={{ 'hx-confirm': `Revoke the token "${token.name}"? Scripts using it will stop working.` }}
                    >
                      <button type="submit" class="button small danger">
                        Revoke
                      </button>
                    </PostForm>
                  </td>
                </tr>
              ))}
            </Table>
        )}
      </Card>
    </div>
  )
}
