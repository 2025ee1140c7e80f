// Email: through SMTP_URL with nodemailer when set, else kept in the Outbox
// page and the log. Every message is kept either way, with how it went.
import nodemailer, { type Transporter } from 'nodemailer'
import { desc } from 'drizzle-orm'
import type { Deps } from '../server/deps'
import { outbox } from '../db/schema'

export type Mail = { to: string[]; subject: string; text: string; html: string }
export type Delivery = 'sent' | 'outbox' | 'failed' | 'nobody'

const transports = new Map<string, Transporter>()

function transportFor(url: string): Transporter {
  let t = transports.get(url)
  if (!t) {
    // Bounded waits, so a dead mail server cannot hold up the alert tick for long.
    const withTimeouts = new URL(url)
    for (const [k, v] of [['connectionTimeout', '10000'], ['greetingTimeout', '10000'], ['socketTimeout', '20000']]) {
      if (!withTimeouts.searchParams.has(k!)) withTimeouts.searchParams.set(k!, v!)
    }
    t = nodemailer.createTransport(withTimeouts.toString())
    transports.set(url, t)
  }
  return t
}

export async function sendMail(deps: Deps, mail: Mail): Promise<Delivery> {
  if (mail.to.length === 0) return 'nobody'
  const smtp = deps.config.smtpUrl
  if (!smtp) {
    await deps.db.insert(outbox).values({ ...mail, status: 'outbox' })
    deps.log.info('mail.outbox', `to ${mail.to.join(', ')}: ${mail.subject}`)
    return 'outbox'
  }
  try {
    await transportFor(smtp).sendMail({ from: deps.config.mailFrom, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html })
    await deps.db.insert(outbox).values({ ...mail, status: 'sent' })
    return 'sent'
  } catch (err) {
    const error = (err as Error).message
    await deps.db.insert(outbox).values({ ...mail, status: 'failed', error })
    deps.log.error('mail.send', `to ${mail.to.join(', ')}: ${mail.subject}: ${error}`)
    return 'failed'
  }
}

export async function listOutbox(deps: Deps, limit = 100) {
  return deps.db.select().from(outbox).orderBy(desc(outbox.id)).limit(limit)
}
