// The files a browser-mode host upload sends: every experiment file, and the other files an
// experiment chosen names (by base name); what cannot go in one message is refused with the
// largest files named.
import { describe, expect, it } from 'vitest'
import { MAX_CLIENT_MESSAGE_BYTES } from '../../../../common/websocket_limits'
import { namedBaseNames, namedDataFiles, uploadTooLarge } from './host_upload_choice'

const host = JSON.stringify({ guests: [{ file: 'guests/g.prlab.json' }, { experiment: { guest: { initialFreeState: { file: 'snap\\buddyinfo.txt' } } } }] })
const guest = JSON.stringify({ workload: { phases: [{ op: 'replay', file: '../traces/kmem.txt' }] } })

describe('a host upload in browser mode', () => {
  it('names every string base name of the experiment texts; text that does not parse names nothing', () => {
    expect([...namedBaseNames([host, guest, '{ not json'])].sort()).toEqual(['buddyinfo.txt', 'g.prlab.json', 'kmem.txt', 'replay'])
  })

  it('sends the data files an experiment names and leaves the rest of the folder out', () => {
    const files = ['lab/host.prlab.json', 'lab/guests/g.prlab.json', 'lab/traces/kmem.txt', 'lab/snap/buddyinfo.txt', 'lab/runs/samples.csv', 'lab/notes.txt'].map((name) => ({ name }))
    expect(namedDataFiles(files, [host, guest]).map((f) => f.name)).toEqual(['lab/traces/kmem.txt', 'lab/snap/buddyinfo.txt'])
    expect(namedDataFiles(files, [host]).map((f) => f.name)).toEqual(['lab/snap/buddyinfo.txt'])
  })

  it('refuses files that do not fit one message, naming the largest', () => {
    expect(uploadTooLarge([{ name: 'host.prlab.json', size: 1000 }, { name: 'kmem.txt', size: MAX_CLIENT_MESSAGE_BYTES - 1000 }])).toBeNull()
    expect(uploadTooLarge([{ name: 'host.prlab.json', size: 1000 }, { name: 'kmem.txt', size: 60 * 1048576 }, { name: 'b.txt', size: 5 * 1048576 }])).toBe(
      'the host file with its guest and data files is 65.0 MiB; browser mode sends them in one message of at most 64.0 MiB (largest: kmem.txt 60.0 MiB, b.txt 5.0 MiB, host.prlab.json 0.0 MiB): run it in the desktop app, or with prlab run',
    )
  })
})
