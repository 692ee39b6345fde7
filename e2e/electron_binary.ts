// Where the Electron executable is, without triggering Electron >= 42's lazy download (which
// fails on machines that reach only the npm and Debian registries).
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export const NO_ELECTRON_BINARY =
  'no Electron binary: it cannot be downloaded on this machine (npm and Debian registries only); use browser mode (npm run web)'

export function electronBinary(): string | null {
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH
  const dir = join(process.cwd(), 'node_modules', 'electron')
  const pathTxt = join(dir, 'path.txt')
  const name = existsSync(pathTxt) ? readFileSync(pathTxt, 'utf8').trim() : null
  const exe = override ? join(override, name ?? 'electron') : name ? join(dir, 'dist', name) : null
  return exe !== null && existsSync(exe) ? exe : null
}
