// Says up front, in the run's output, which specs cannot run here and why.
import { electronBinary, NO_ELECTRON_BINARY } from './electron_binary'

export default function globalSetup(): void {
  if (electronBinary() === null) console.log(`\n[electron] the desktop specs will be skipped: ${NO_ELECTRON_BINARY}\n`)
}
