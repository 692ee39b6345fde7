// The File menu: each item sends its command, Open Recent opens files by id, and the platform's
// quit or close item is there.
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { MenuCommand } from '../common/api'
import { fake } from '../../test/desktop/mock_electron'
import { buildMenu, opensDocument } from './menu'

vi.mock('electron', () => import('../../test/desktop/mock_electron').then((m) => m.fake.module))

const platform = process.platform
const onPlatform = (value: NodeJS.Platform): void => void Object.defineProperty(process, 'platform', { value })
afterEach(() => onPlatform(platform))

const recent = [
  { id: 'id-1', path: '/home/me/a.prlab.json', fileName: 'a.prlab.json' },
  { id: 'id-2', path: '/home/me/b.prlab.json', fileName: 'b.prlab.json' },
]

describe('the File menu', () => {
  it('sends each item its command, with the usual accelerators', () => {
    onPlatform('linux')
    const sent: MenuCommand[] = []
    buildMenu((c) => sent.push(c), recent)
    const items: [string, MenuCommand, string][] = [
      ['New', 'new', 'CmdOrCtrl+N'],
      ['Open…', 'open', 'CmdOrCtrl+O'],
      ['Save', 'save', 'CmdOrCtrl+S'],
      ['Save As…', 'save-as', 'CmdOrCtrl+Shift+S'],
      ['Export CSV…', 'export-csv', 'CmdOrCtrl+E'],
      ['Export Perfetto trace…', 'export-perfetto', 'CmdOrCtrl+Shift+E'],
    ]
    for (const [label, , accelerator] of items) {
      const item = fake.menuItem('File', label)
      expect(item.accelerator).toBe(accelerator)
      item.click()
    }
    expect(sent).toEqual(items.map(([, command]) => command))
    fake.menuItem('File', 'Open Run Folder…').click()
    expect(sent.at(-1)).toBe('open-run-folder')
  })

  it('undoes and redoes the experiment from the Edit menu, and opens the keys from Help', () => {
    const sent: MenuCommand[] = []
    buildMenu((c) => sent.push(c), recent)
    expect(fake.menuItem('Edit', 'Undo').accelerator).toBe('CmdOrCtrl+Z')
    expect(fake.menuItem('Edit', 'Redo').accelerator).toBe('CmdOrCtrl+Shift+Z')
    fake.menuItem('Edit', 'Undo').click()
    fake.menuItem('Edit', 'Redo').click()
    fake.menuItem('Help', 'Keys and Mouse Gestures').click()
    expect(sent).toEqual(['undo', 'redo', 'help'])
  })

  it('lists the recent files by path and opens them by id', () => {
    const sent: MenuCommand[] = []
    buildMenu((c) => sent.push(c), recent)
    expect(fake.menuItem('File', 'Open Recent').submenu?.items.map((i) => i.label)).toEqual(['/home/me/a.prlab.json', '/home/me/b.prlab.json'])
    fake.menuItem('File', 'Open Recent', '/home/me/b.prlab.json').click()
    expect(sent).toEqual(['open-file:id-2'])
  })

  it('says so when there are no recent files', () => {
    buildMenu(() => undefined, [])
    const none = fake.menuItem('File', 'Open Recent', 'No recent files')
    expect(none.enabled).toBe(false)
  })

  it('ends with Quit (Ctrl+Q, app.quit) on Linux and Windows; on macOS Close, with Quit in the app menu', () => {
    onPlatform('linux')
    buildMenu(() => undefined, [])
    expect(fake.menuItem('File', 'quit').role).toBe('quit')
    expect(fake.applicationMenu?.items.map((i) => i.label || i.role)).toEqual(['File', 'Edit', 'viewMenu', 'windowMenu', 'Help'])
    onPlatform('darwin')
    buildMenu(() => undefined, [])
    expect(fake.menuItem('File', 'close').role).toBe('close')
    expect(fake.applicationMenu?.items.map((i) => i.label || i.role)).toEqual(['appMenu', 'File', 'Edit', 'viewMenu', 'windowMenu', 'Help'])
  })

  it('knows which commands need a window to show their document', () => {
    expect((['new', 'open', 'open-file:x'] as MenuCommand[]).every(opensDocument)).toBe(true)
    expect((['save', 'save-as', 'export-csv', 'export-perfetto'] as MenuCommand[]).some(opensDocument)).toBe(false)
  })
})
