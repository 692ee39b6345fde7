// The engine's output must not change while it is optimised (issue 14): each golden churn
// experiment in test/golden is run as `prlab run` runs it and every output file is compared byte
// for byte with test/golden/expected (written by scripts/golden.ts). A meant change of the output
// is accepted with `npm run golden:update`.
import { describe, expect, it } from 'vitest'
import { GOLDEN_FILES, UPDATE_COMMAND, firstDifference, goldenNames, readExpected, runGolden } from '../scripts/golden'

const names = await goldenNames()

describe('golden outputs (test/golden)', () => {
  it('there are golden experiments, each with every expected file', () => {
    expect(names.length).toBeGreaterThanOrEqual(4)
    for (const name of names) for (const file of GOLDEN_FILES) expect(readExpected(name, file), `${name}/${file}`).not.toBeNull()
  })

  for (const name of names) {
    it(`${name}: samples.csv, events.csv, buddyinfo.txt and summary.json are byte-identical`, async () => {
      const out = await runGolden(name)
      const diffs: string[] = []
      for (const file of GOLDEN_FILES) {
        const expected = readExpected(name, file)
        if (expected === null) continue
        const d = firstDifference(expected, out[file], file.endsWith('.csv'))
        if (d !== null) diffs.push(`${name}/${file} differs at ${d}`)
      }
      if (diffs.length > 0) {
        throw new Error(`${diffs.join('\n')}\nThe engine's output changed. If that is intended, run ${UPDATE_COMMAND} and say why in the commit.`)
      }
    })
  }
})

describe('firstDifference', () => {
  it('names the line, the column and both values', () => {
    const d = firstDifference('t_ms,free_kib\n0,100\n1,90\n', 't_ms,free_kib\n0,100\n1,91\n', true)
    expect(d).toContain('line 3 column free_kib: expected "90", got "91"')
  })

  it('reports a shorter or longer output', () => {
    expect(firstDifference('a\nb\nc\n', 'a\nb\n', false)).toContain('expected 3 lines, got 2')
    expect(firstDifference('a\n', 'a\nb\n', false)).toContain('first extra line: b')
  })

  it('shows whole lines of a file that is not CSV', () => {
    expect(firstDifference('Node 0, zone DMA 1 2\n', 'Node 0, zone DMA 1 3\n', false)).toBe('line 1\n  expected: Node 0, zone DMA 1 2\n  got:      Node 0, zone DMA 1 3')
  })

  it('is null for identical texts', () => {
    expect(firstDifference('a,b\n1,2\n', 'a,b\n1,2\n', true)).toBeNull()
  })
})
