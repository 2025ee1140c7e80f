// The alert emails: what happened, since when, the figures, and a link.
import { escapeHtml } from '@kitajs/html'
import type { Mail } from '../mail'

export type AlertMail = {
  to: string[]
  event: 'fired' | 'resolved' | 'failover' | 'test'
  subject: string
  lines: string[]
  link: string | null
}

export function renderAlertMail(m: AlertMail): Mail {
  const tag = m.event === 'fired' ? 'ALERT' : m.event === 'resolved' ? 'RESOLVED' : m.event === 'failover' ? 'FAILOVER' : 'TEST'
  const subject = `[serversctl] ${tag}: ${m.subject}`
  const text = [m.subject, '', ...m.lines, ...(m.link ? ['', `Open: ${m.link}`] : []), '', '— serversctl'].join('\n')
  const colour = m.event === 'fired' || m.event === 'failover' ? '#b91c1c' : m.event === 'resolved' ? '#15803d' : '#2563eb'
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#1b2330">
<p style="font-weight:700;color:${colour}">${escapeHtml(tag)}</p>
<h2 style="font-size:16px">${escapeHtml(m.subject)}</h2>
<ul>${m.lines.map((l) => `<li>${escapeHtml(l)}</li>`).join('')}</ul>
${m.link ? `<p><a href="${escapeHtml(m.link)}">Open in serversctl</a></p>` : ''}
<p style="color:#5d6b7e;font-size:12px">serversctl</p></body></html>`
  return { to: m.to, subject, text, html }
}
