import { PRESETS } from '../../src/pools/service'

export const presetLabel = (key: string) => PRESETS.find((p) => p.key === key)?.label ?? key
