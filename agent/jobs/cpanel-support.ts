// Where cPanel & WHM installs, by os-release ID and version (cPanel's system
// requirements). The server refuses the install recipe elsewhere and the
// agent checks again against its own os-release.
export const CPANEL_SUPPORTED: Record<string, string[]> = {
  almalinux: ['8', '9'],
  rocky: ['8', '9'],
  cloudlinux: ['8', '9'],
  ubuntu: ['22.04', '24.04'],
}

export function cpanelSupports(os: { id: string | null; versionId: string | null }): boolean {
  const versions = CPANEL_SUPPORTED[os.id ?? '']
  const v = os.versionId
  return !!versions && !!v && versions.some((want) => v === want || v.startsWith(`${want}.`))
}

export const cpanelSupportedText = () =>
  Object.entries(CPANEL_SUPPORTED)
    .map(([id, versions]) => `${id} ${versions.join('/')}`)
    .join(', ')
