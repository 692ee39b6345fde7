// prlab schema: prints the JSON Schema (draft 2020-12) of experiment files. The same text is in
// schema/experiment-v1.schema.json for editors working offline.
import { experimentJsonSchemaText } from '../../common/experiment_json_schema'

export async function main(argv: string[]): Promise<number> {
  if (argv.length > 0) {
    console.error(`prlab schema: takes no arguments, got ${argv.join(' ')}\nusage: prlab schema > experiment.schema.json`)
    return 2
  }
  process.stdout.write(experimentJsonSchemaText())
  return 0
}
