import { CopyButton, Notice, Time } from '../components/ui'
import { plainHttpWarning } from '../../src/server/public-url'

/** The one-time install command, with a copy button. */
export function InstallCommand({ command, expiresAt }: { command: string; expiresAt: Date }) {
  // The address the agent will talk to, as the command hands it over.
  const server = /--server (\S+)/.exec(command)?.[1] ?? ''
  return (
    <div class="install">
      <PlainHttpNotice url={server} />
      <p>
        Run this as root on the server. It works once, and expires <Time at={expiresAt} />.
      </p>
      <div class="copy-row">
        <code class="secret" id="install-command" safe>
          {command}
        </code>
        <CopyButton selector="#install-command" />
      </div>
    </div>
  )
}

/** Wherever an agent is about to be pointed at a plain-http address. */
export function PlainHttpNotice({ url }: { url: string }) {
  const warning = plainHttpWarning(url)
  return warning ? (
    <Notice kind="warn">
      <span safe>{warning}</span>
    </Notice>
  ) : (
    ''
  )
}
