import { describe, expect, it } from 'vitest'
import { droppedFileRole, guessImportKind } from './import_kind'

describe('import kind from a file name', () => {
  it('reads the kind from the name the fixtures and the docs use', () => {
    expect(guessImportKind('buddyinfo-series.txt')).toBe('buddyinfo')
    expect(guessImportKind('pagetypeinfo-6.6.txt')).toBe('pagetypeinfo')
    expect(guessImportKind('rss-hyperalloc.csv')).toBe('rss')
    expect(guessImportKind('ftrace-6.6-trace-cmd.txt')).toBe('ftrace')
    expect(guessImportKind('cc1-exit-1g.trace.txt')).toBe('ftrace')
    expect(guessImportKind('notes.txt')).toBeNull()
  })

  it('routes a dropped file: JSON to the editor, sweep.csv to the sweep view, the rest to imports', () => {
    expect(droppedFileRole('quick.prlab.json', false)).toBe('experiment')
    expect(droppedFileRole('sweep.csv', false)).toBe('sweep')
    expect(droppedFileRole('order-sweep.csv', false)).toBe('sweep')
    expect(droppedFileRole('rss-hyperalloc.csv', false)).toBe('data')
    expect(droppedFileRole('rss-hyperalloc.csv', true)).toBe('sweep')
    expect(droppedFileRole('buddyinfo.txt', true)).toBe('data')
  })
})
