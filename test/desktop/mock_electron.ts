// One fake `electron` per test file: `vi.mock('electron', () => import('.../mock_electron').then((m) => m.fake.module))`
// makes src/main import it, and the test inspects and drives the same `fake`.
import { FakeElectron } from './fake_electron'

export const fake = new FakeElectron()
