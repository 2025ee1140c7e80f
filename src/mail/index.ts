// Email: through SMTP_URL with nodemailer when set, else kept in the Outbox
// page and the log. Every message is kept either way, with how it went.
import nodemailer, { type Transporter } from 'nodemailer'
import { desc } from 'drizzle-orm'
import type { Deps } from '../server/deps'
import type { Db } from '../db'
import { outbox } from '../db/schema'

export type Mail = { to: string[]; subject: string; text: string; html: string }
export type Delivery = 'sent' | 'outbox' | 'failed' | 'nobody'

const transports = new Map<string, Transporter>()

function transportFor(url: string): Transporter {
  let t = transports.get(url)
  if (!t) {
    // Bounded waits, so a dead mail server cannot hold up the sender for long.
    const withTimeouts = new URL(url)
    for (const [k, v] of [['connectionTimeout', '10000'], ['greetingTimeout', '10000'], ['socketTimeout', '20000']]) {
      if (!withTimeouts.searchParams.has(k!)) withTimeouts.searchParams.set(k!, v!)
    }
    t = nodemailer.createTransport(withTimeouts.toString())
    transports.set(url, t)
  }
  return t
}

/**
 * One try at handing a mail to the SMTP server, writing nothing: throws what
 * went wrong, 'outbox' when no server is set (the caller keeps it). A fixed
 * messageId (`<id@host>`) makes a resend the same message to the receiver.
 */
export async function transmit(deps: Deps, mail: Mail, messageId?: string): Promise<'sent' | 'outbox' | 'nobody'> {
  if (mail.to.length === 0) return 'nobody'
  const smtp = deps.config.smtpUrl
  if (!smtp) return 'outbox'
  await transportFor(smtp).sendMail({ from: deps.config.mailFrom, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, messageId })
  return 'sent'
}

/** Keeps a mail on the Outbox page with how it went (also inside a caller's transaction). */
export async function keepMail(db: Db, mail: Mail, status: 'sent' | 'outbox' | 'failed', error: string | null = null): Promise<void> {
  await db.insert(outbox).values({ to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, status, error })
}

/** The log line for a mail that was kept rather than sent, or that failed for good. */
export function logMail(deps: Deps, mail: Mail, delivery: Delivery, error: string | null = null): void {
  if (delivery === 'outbox') deps.log.info('mail.outbox', `to ${mail.to.join(', ')}: ${mail.subject}`)
  if (delivery === 'failed') deps.log.error('mail.send', `to ${mail.to.join(', ')}: ${mail.subject}: ${error}`)
}

/** Sends at once and keeps it (the test email, one-off notices): one try. */
export async function sendMail(deps: Deps, mail: Mail): Promise<Delivery> {
  let delivery: Delivery
  let error: string | null = null
  try {
    delivery = await transmit(deps, mail)
  } catch (err) {
    delivery = 'failed'
    error = (err as Error).message
  }
  if (delivery !== 'nobody') await keepMail(deps.db, mail, delivery, error)
  logMail(deps, mail, delivery, error)
  return delivery
}

export async function listOutbox(deps: Deps, limit = 100) {
  return deps.db.select().from(outbox).orderBy(desc(outbox.id)).limit(limit)
}
