// The optional confirmation probe: before cutting away from a silent agent,
// ask the host itself whether it still answers.
import type { FailoverProbe } from '../db/schema'

export type Probe = (address: string, probe: FailoverProbe) => Promise<boolean>

const TIMEOUT_MS = 3000

function tcpAnswers(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), TIMEOUT_MS)
    Bun.connect({
      hostname: address,
      port,
      socket: {
        open(socket) {
          clearTimeout(timer)
          socket.end()
          resolve(true)
        },
        data() {},
        error() {
          clearTimeout(timer)
          resolve(false)
        },
        connectError() {
          clearTimeout(timer)
          resolve(false)
        },
      },
    }).catch(() => {
      clearTimeout(timer)
      resolve(false)
    })
  })
}

async function httpAnswers(address: string, port: number, path: string): Promise<boolean> {
  try {
    // Any HTTP answer, even an error page, means the host is up.
    await fetch(`http://${address}:${port}${path}`, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'manual' })
    return true
  } catch {
    return false
  }
}

export const probeHost: Probe = (address, probe) =>
  probe.kind === 'tcp' ? tcpAnswers(address, probe.port) : httpAnswers(address, probe.port, probe.path)
