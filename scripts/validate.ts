// npm run validate: runs every validation/ scenario (a real guest's recording and the experiment that
// mirrors it) and prints simulated against real with the tolerance of each check. Exit 1 when a check
// is outside its tolerance (npm test runs the same checks in test/validation.test.ts).
import { formatTextTable } from '../src/host/validation/table'
import { failures, validateAll } from '../src/host/validation/validate'

const results = await validateAll()
console.log(formatTextTable(results))
process.exitCode = failures(results).length > 0 ? 1 : 0
