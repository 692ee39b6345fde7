// The File, Edit and Help menus with the usual accelerators; each item is a command the renderer
// carries out (Undo and Redo are the experiment's, not a text field's). Open Recent lists the
// host's recent files and opens them by their opaque ids.
import { Menu, type MenuItemConstructorOptions } from 'electron'
import type { MenuCommand, RecentFile } from '../common/api'

/** Commands that need a window to show their result: on macOS, with none open, one opens first. */
export const opensDocument = (command: MenuCommand): boolean => command === 'new' || command === 'open' || command.startsWith('open-file:')

export function buildMenu(send: (command: MenuCommand) => void, recent: readonly RecentFile[]): void {
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
          submenu: recent.length > 0 ? recent.map((file) => item(file.path, `open-file:${file.id}`)) : [{ label: 'No recent files', enabled: false }],
        },
        { type: 'separator' },
        item('Save', 'save', 'CmdOrCtrl+S'),
        item('Save As…', 'save-as', 'CmdOrCtrl+Shift+S'),
        { type: 'separator' },
        item('Export CSV…', 'export-csv', 'CmdOrCtrl+E'),
        item('Export Perfetto trace…', 'export-perfetto', 'CmdOrCtrl+Shift+E'),
        { type: 'separator' },
        item('Open Run Folder…', 'open-run-folder'),
        { type: 'separator' },
        // Quit (Ctrl+Q) calls app.quit(); on macOS it is in the app menu (Cmd+Q) and the Dock.
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    {
      label: 'Edit',
      submenu: [item('Undo', 'undo', 'CmdOrCtrl+Z'), item('Redo', 'redo', 'CmdOrCtrl+Shift+Z'), { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
    },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
    { label: 'Help', submenu: [item('Keys and Mouse Gestures', 'help', 'F1')] },
  ]
  Menu.setApplicationMenu(Menu.buildFromTemplate(template))
}
