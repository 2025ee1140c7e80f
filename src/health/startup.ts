// A server listens before it has finished starting: with PORT=0 the port is
// known only once it listens, and the first-run setup link needs it. Until
// the steps after that are done, /healthz says so instead of 200.

/** What the process still has to do before it serves every request it will serve; null once done. */
export type Startup = { waitingFor: string | null }

export const startingUp = (waitingFor: string): Startup => ({ waitingFor })
