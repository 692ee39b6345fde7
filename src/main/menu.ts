// The File menu with the usual accelerators; each item is a command the renderer carries out.
import { Menu, type MenuItemConstructorOptions } from 'electron'
import type { MenuCommand } from '../common/api'

export function buildMenu(send: (command: MenuCommand) => void, recent: readonly string[]): void {
  const item = (label: string, command: MenuCommand, accelerator?: string): MenuItemConstructorOptions => ({
    label,
    accelerator,
    click: () => send(command),
  })
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        item('New', 'new', 'CmdOrCtrl+N'),
        item('Open…', 'open', 'CmdOrCtrl+O'),
        {
          label: 'Open Recent',
          submenu: recent.length > 0 ? recent.map((path) => item(path, `open-recent:${path}`)) : [{ label: 'No recent files', enabled: false }],
        },
        { type: 'separator' },
        item('Save', 'save', 'CmdOrCtrl+S'),
        item('Save As…', 'save-as', 'CmdOrCtrl+Shift+S'),
        { type: 'separator' },
        item('Export CSV…', 'export-csv', 'CmdOrCtrl+E'),
        item('Export Perfetto trace…', 'export-perfetto', 'CmdOrCtrl+Shift+E'),
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
  ]
  Menu.setApplicationMenu(Menu.buildFromTemplate(template))
}
