import { describe, expect, it } from 'vitest'
import { experimentFilesIn } from './command_line'

describe('experiment files on a command line', () => {
  it('packaged: every argument after the executable that is not a switch, resolved in the working directory', () => {
    expect(experimentFilesIn(['/opt/lab/page-reporting-lab', 'a.prlab.json', '--no-sandbox', '/data/b.prlab.json'], '/home/me', true)).toEqual(['/home/me/a.prlab.json', '/data/b.prlab.json'])
  })

  it('from source: skips the app argument (`electron . file`)', () => {
    expect(experimentFilesIn(['/x/electron', '.', 'runs/a.prlab.json'], '/repo', false)).toEqual(['/repo/runs/a.prlab.json'])
    expect(experimentFilesIn(['/x/electron', '/repo/out/main/index.js'], '/repo', false)).toEqual([])
  })

  it("a second instance's argv: Chromium's switches and URLs are not files", () => {
    const argv = ['/opt/lab/page-reporting-lab', '--allow-file-access-from-files', '--original-process-start-time=1337', 'https://example.com/x.json', 'exp.prlab.json', '']
    expect(experimentFilesIn(argv, '/tmp/w', true)).toEqual(['/tmp/w/exp.prlab.json'])
  })
})
