// Two cPanel members with real parts, for the cPanel and Protection drills:
// the server as its own process and two compiled agents (startBackupFleet),
// each on a fake cPanel host with the stand-in whmapi1, pkgacct and
// restorepkg first on its PATH. Member a's host holds the account "shop";
// member b's holds none and reaches a's as a WHM server for transfers.
//
//   const cp = await startCpanelFleet()
//   try { await cp.fleet.runJob(cp.a, 'cpanel.account.suspend', { user: 'shop', reason: '...' }) }
//   finally { await cp.cleanup() }
import { startBackupFleet, type BackupFleet } from './backup-fleet'
import { makeCpanelHost, type CpanelHost } from './standins/cpanel/host'

/** The root password member a's WHM answers transfers with. */
export const SOURCE_ROOT_PASSWORD = 'drill-root-Pa55word'

export type CpanelFleet = {
  fleet: BackupFleet
  /** Member a's host, with the account "shop". */
  source: CpanelHost
  /** Member b's host, with no account. */
  target: CpanelHost
  /** The members' ids. */
  a: string
  b: string
  cleanup: () => Promise<void>
}

export async function startCpanelFleet(): Promise<CpanelFleet> {
  const source = makeCpanelHost({ hostname: 'source.example.test' })
  const target = makeCpanelHost({ account: null, hostname: 'target.example.test' })
  // The source agent's host name is known only as it enrols, before the target's agent is set up.
  const whmHosts: Record<string, string> = {}
  let fleet: BackupFleet | undefined
  const cleanup = async () => {
    await fleet?.cleanup()
    source.cleanup()
    target.cleanup()
  }
  try {
    fleet = await startBackupFleet({
      members: ['a', 'b'],
      agentEnv: (name, hostname) => {
        if (name === 'a') {
          whmHosts[hostname] = source.root
          return source.env
        }
        return { ...target.env, STANDIN_WHM_HOSTS: JSON.stringify(whmHosts), STANDIN_WHM_ROOT_PASSWORD: SOURCE_ROOT_PASSWORD }
      },
      ready: (m) => !!m.stacks?.cpanel,
      readyText: 'cPanel',
    })
  } catch (err) {
    await cleanup()
    throw err
  }
  const [a, b] = fleet.agents.map((x) => x.id) as [string, string]
  return { fleet, source, target, a, b, cleanup }
}
