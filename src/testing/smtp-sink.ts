// A real SMTP server on loopback that keeps what it receives, for tests. It
// can be made to hang (until answer) or to refuse the next messages, as a
// slow or busy mail server would.
import { SMTPServer } from 'smtp-server'

export type Received = { from: string; to: string[]; raw: string; subject: string; messageId: string }

/** A header's value, folded lines joined. */
const header = (raw: string, name: string) => new RegExp(`^${name}: (.*(?:\\r?\\n[ \\t].*)*)$`, 'mi').exec(raw)?.[1]?.replace(/\r?\n[ \t]/g, ' ') ?? ''

export async function startSmtpSink() {
  const messages: Received[] = []
  let gate: Promise<void> = Promise.resolve()
  let release = () => {}
  let refusals = 0
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      let raw = ''
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')))
      stream.on('end', async () => {
        await gate
        if (refusals > 0) {
          refusals--
          return done(Object.assign(new Error('mailbox busy, try later'), { responseCode: 451 }))
        }
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          subject: header(raw, 'Subject'),
          messageId: header(raw, 'Message-ID'),
        })
        done()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.server.address() as { port: number }).port
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    /** Holds every message from now on until answer(). */
    hang: () => (gate = new Promise((r) => (release = r))),
    answer: () => release(),
    /** Refuses the next `n` messages with a temporary error (451). */
    refuse: (n: number) => (refusals = n),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
