// Log lines carry a [domain.step] prefix so one grep finds a feature's story.
// LOG_FORMAT=json writes the same as one JSON object per line for a log
// collector. Either way a line written while handling a request names it.
import type { LogFormat } from '../config'
import { currentRequest } from './request-id'

export type Log = {
  info: (scope: string, message: string) => void
  warn: (scope: string, message: string) => void
  error: (scope: string, message: string, err?: unknown) => void
}

type Level = 'INFO' | 'WARN' | 'ERROR'

function textLine(level: Level, scope: string, message: string, err?: unknown) {
  const id = currentRequest()?.id
  const base = `${new Date().toISOString()} ${level} [${scope}] ${message}${id ? ` req=${id}` : ''}`
  if (err === undefined) return base
  return `${base} ${err instanceof Error ? `\n${err.stack}` : String(err)}`
}

function jsonLine(level: Level, scope: string, message: string, err?: unknown) {
  const id = currentRequest()?.id
  const error = err === undefined ? undefined : err instanceof Error ? { message: err.message, stack: err.stack } : { message: String(err) }
  return JSON.stringify({ time: new Date().toISOString(), level: level.toLowerCase(), scope, message, requestId: id, error })
}

export function formatLine(format: LogFormat, level: Level, scope: string, message: string, err?: unknown): string {
  return format === 'json' ? jsonLine(level, scope, message, err) : textLine(level, scope, message, err)
}

/** Writes to stdout (info) and stderr (warnings, errors), as the process manager collects them. */
export function consoleLog(format: LogFormat = 'text'): Log {
  return {
    info: (scope, message) => console.log(formatLine(format, 'INFO', scope, message)),
    warn: (scope, message) => console.warn(formatLine(format, 'WARN', scope, message)),
    error: (scope, message, err) => console.error(formatLine(format, 'ERROR', scope, message, err ?? undefined)),
  }
}

export const silentLog: Log = { info: () => {}, warn: () => {}, error: () => {} }

/** Keeps lines in memory; tests read what the server would have printed. */
export function memoryLog(format: LogFormat = 'text'): Log & { lines: string[] } {
  const lines: string[] = []
  const push = (level: Level) => (scope: string, message: string, err?: unknown) => void lines.push(formatLine(format, level, scope, message, err))
  return { lines, info: push('INFO'), warn: push('WARN'), error: push('ERROR') }
}
