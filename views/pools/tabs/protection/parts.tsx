// What the Protection tab's pieces share: the page they are on (pool, CSRF,
// a refused form's echo), their addresses, and small pieces.
import type { Health } from '../../../../src/protection/tab-model'
import { Badge } from '../../../components/ui'

/** A refused form: which one, about which protected account, what was typed and the message by each field. */
export type ProtectionEcho = {
  form: 'protect' | 'replicate-all' | 'replicate' | 'cut' | 'edit' | 'unprotect'
  /** The protected account's id; '' for the tab's own forms. */
  key: string
  values: Record<string, string | string[]>
  errors: Record<string, string>
}

export const protectionHref = (poolId: string) => `/pools/${poolId}/protection`
export const protectHref = (poolId: string) => `${protectionHref(poolId)}/protect`
export const sourceAccountsHref = (poolId: string) => `${protectHref(poolId)}/accounts`
export const replicateAllHref = (poolId: string) => `${protectionHref(poolId)}/replicate`
export const accountActionHref = (poolId: string, id: string, action: 'replicate' | 'cut' | 'edit' | 'unprotect') =>
  `${protectionHref(poolId)}/accounts/${encodeURIComponent(id)}/${action}`
export const logHref = (poolId: string, kind: string | null) => (kind ? `${protectionHref(poolId)}?kind=${encodeURIComponent(kind)}` : protectionHref(poolId))

export function echoFor(echo: ProtectionEcho | undefined, form: ProtectionEcho['form'], key = ''): ProtectionEcho | undefined {
  return echo && echo.form === form && echo.key === key ? echo : undefined
}

export const echoValue = (echo: ProtectionEcho | undefined, field: string, fallback: string): string => {
  const v = echo?.values[field]
  return typeof v === 'string' ? v : fallback
}

/** A refusal not about one field, at the top of its form. */
export function FormError({ echo }: { echo?: ProtectionEcho }) {
  const message = echo?.errors.form
  if (!message) return ''
  return (
    <div class="notice notice-error" role="alert">
      <span safe>{message}</span>
    </div>
  )
}

const HEALTH: Record<Health, { tone: 'ok' | 'warn' | 'bad' | 'muted' | 'info'; label: string }> = {
  healthy: { tone: 'ok', label: 'healthy' },
  stale: { tone: 'warn', label: 'stale' },
  failing: { tone: 'bad', label: 'failing' },
  waiting: { tone: 'info', label: 'no copy yet' },
  paused: { tone: 'muted', label: 'paused' },
}

export function HealthBadge({ health }: { health: Health }) {
  const h = HEALTH[health]
  return (
    <Badge tone={h.tone}>
      <span data-health={health} safe>
        {h.label}
      </span>
    </Badge>
  )
}
