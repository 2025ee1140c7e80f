import type { outbox } from '../../src/db/schema'
import { Badge, Card, EmptyState, Time } from '../components/ui'

type Mail = typeof outbox.$inferSelect

export function OutboxPage({ mails, smtp }: { mails: Mail[]; smtp: boolean }) {
  return (
    <div class="page">
      <header class="page-head">
        <div>
          <h1>Outbox</h1>
          <p class="muted">
            {smtp
              ? 'Every email serversctl sent or tried to send, newest first.'
              : 'No SMTP server is set (SMTP_URL), so alert emails are kept here and written to the server log instead of being sent.'}
          </p>
        </div>
      </header>
      {mails.length === 0 ? (
        <Card>
          <EmptyState title="No emails yet" />
        </Card>
      ) : (
        mails.map((m) => (
          <Card>
            <details class="mail">
              <summary>
                <Badge tone={m.status === 'sent' ? 'ok' : m.status === 'failed' ? 'bad' : 'muted'}>
                  <span>{m.status}</span>
                </Badge>{' '}
                <strong safe>{m.subject}</strong> <span class="muted">to</span> <span safe>{m.to.join(', ')}</span> <Time at={m.at} />
              </summary>
              {m.error ? (
                <p class="field-error" safe>
                  {m.error}
                </p>
              ) : (
                ''
              )}
              <pre safe>{m.text}</pre>
            </details>
          </Card>
        ))
      )}
    </div>
  )
}
