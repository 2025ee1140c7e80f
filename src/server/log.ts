// Log lines carry a [domain.step] prefix so one grep finds a feature's story.
export type Log = {
  info: (scope: string, message: string) => void
  warn: (scope: string, message: string) => void
  error: (scope: string, message: string, err?: unknown) => void
}

function line(level: string, scope: string, message: string) {
  return `${new Date().toISOString()} ${level} [${scope}] ${message}`
}

export const consoleLog: Log = {
  info: (scope, message) => console.log(line('INFO', scope, message)),
  warn: (scope, message) => console.warn(line('WARN', scope, message)),
  error: (scope, message, err) =>
    console.error(line('ERROR', scope, message), err instanceof Error ? `\n${err.stack}` : (err ?? '')),
}

export const silentLog: Log = { info: () => {}, warn: () => {}, error: () => {} }

/** Keeps lines in memory; tests read what the server would have printed. */
export function memoryLog(): Log & { lines: string[] } {
  const lines: string[] = []
  const push = (level: string) => (scope: string, message: string) => void lines.push(line(level, scope, message))
  return { lines, info: push('INFO'), warn: push('WARN'), error: push('ERROR') }
}
