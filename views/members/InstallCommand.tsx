import { CopyButton, Time } from '../components/ui'

/** The one-time install command, shown once, with a copy button. */
export function InstallCommand({ command, expiresAt }: { command: string; expiresAt: Date }) {
  return (
    <div class="install">
      <p>Run this as root on the server. It is shown only now, works once, and expires <Time at={expiresAt} />.</p>
      <div class="copy-row">
        <code class="secret" id="install-command" safe>
          {command}
        </code>
        <CopyButton selector="#install-command" />
      </div>
    </div>
  )
}
