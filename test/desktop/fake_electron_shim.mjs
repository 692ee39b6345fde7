// What `import { app, ... } from 'electron'` gets in a fake desktop run (fake_electron_register.mjs).
const electron = globalThis.__prlabFakeElectron.module

export const { app, BrowserWindow, Menu, dialog, ipcMain, net, protocol, session, shell } = electron
export default electron
