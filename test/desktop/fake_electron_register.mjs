// `node --import ./test/desktop/fake_electron_register.mjs test/desktop/fake_electron_main.mjs`:
// runs the built desktop shell (out/main/index.js) in plain Node with `electron` resolved to the
// fake (fake_electron.ts), driven by the test over the process's IPC channel
// (fake_electron_driver.ts, e2e/desktop/fake_desktop.ts). Engine workers inherit --import; they
// import no electron and get nothing here.
import { register } from 'node:module'
import { isMainThread } from 'node:worker_threads'
import { tsImport } from 'tsx/esm/api'

if (isMainThread) {
  const driver = await tsImport('./fake_electron_driver.ts', import.meta.url)
  globalThis.__prlabFakeElectron = driver.startDriver()
  register('./fake_electron_hooks.mjs', import.meta.url)
}
