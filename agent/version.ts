// Replaced at build time by `bun build --define`; "dev" when run from source.
declare const AGENT_VERSION: string | undefined

export const agentVersion: string = typeof AGENT_VERSION === 'string' ? AGENT_VERSION : 'dev'
