// The entry of a fake desktop run: loads the built shell, then lets the driver answer the test
// (Electron emits `ready` only after the main script's top level has run).
const fake = globalThis.__prlabFakeElectron
await import(process.env.PRLAB_FAKE_MAIN)
fake.mainLoaded()
