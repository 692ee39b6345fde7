#!/usr/bin/env node
// `npx prlab`: runs the TypeScript sources through tsx, so it works right after `npm install`.
import { register } from 'tsx/esm/api'

register()
const { cli } = await import('../src/cli/main.ts')
process.exitCode = await cli(process.argv.slice(2))
