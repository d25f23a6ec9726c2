import type { IngestionWarnings } from '@touchline/shared'
import { type Command, InvalidArgumentError, Option } from 'commander'
import { type ClientOptions, clientOf, getApi, withClientOptions } from '../api-client'
import { formatWarnings } from './format'

interface WarningsOptions extends ClientOptions {
  samples: number
  format: 'table' | 'json'
}

function sampleCount(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('not a whole number ≥ 0')
  return n
}

/** `touchline warnings`: `GET /v1/ingestion/warnings`, printed for people. */
export function registerWarningsCommand(program: Command): void {
  withClientOptions(
    program
      .command('warnings')
      .description(
        'What the collector did not store, and why: counts by reason, library and field, and the latest samples',
      )
      .option('-n, --samples <n>', 'the latest samples to show (0: none)', sampleCount, 10)
      .addOption(
        new Option('-f, --format <format>', 'output').choices(['table', 'json']).default('table'),
      ),
  ).action(async (opts: WarningsOptions) => {
    const answer = await getApi(clientOf(opts), 'ingestion warnings', '/v1/ingestion/warnings')
    if (opts.format === 'json') {
      console.log(JSON.stringify(answer.json, null, 2))
      return
    }
    console.log(formatWarnings(answer.json as IngestionWarnings, opts.samples))
  })
}
