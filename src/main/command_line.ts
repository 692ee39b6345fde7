// The experiment files a launch names: `page-reporting-lab a.prlab.json` (packaged), or
// `electron . a.prlab.json` (from source). The same parsing serves this instance's argv and a
// second instance's (app `second-instance`, whose argv also carries Chromium's switches).
import { isAbsolute, resolve } from 'node:path'

export function experimentFilesIn(argv: readonly string[], workingDirectory: string, packaged: boolean): string[] {
  // argv[0] is the executable; unpackaged, argv[1] is the app (`.` or the main script).
  return argv
    .slice(packaged ? 1 : 2)
    .filter((arg) => arg.length > 0 && !arg.startsWith('-') && !/^[a-z][a-z0-9+.-]*:\/\//i.test(arg))
    .map((arg) => (isAbsolute(arg) ? arg : resolve(workingDirectory, arg)))
}
