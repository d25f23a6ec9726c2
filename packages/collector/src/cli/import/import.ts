import { BatchSender, ImportStopped, type SenderOptions } from '../../client/batch-sender'
import { type ImportFormat, openSource } from './read'
import { eventFromFields } from './row'

/**
 * `touchline import`: reads a CSV or NDJSON file as a stream, validates each row, and sends
 * the good ones to a collector's ingestion API, reporting each bad row by its line.
 */

export interface ImportOptions {
  path: string
  format: ImportFormat
  /** The collector's base URL. */
  url: string
  /** The project's secret key (`sk_…`): historical timestamps are taken as given. */
  key: string
  /** Validate only: send nothing. */
  dryRun?: boolean
  /** A bad row: invalid here, or rejected by the collector. */
  onBadRow: (line: number, error: string, rejectedBy: 'import' | 'collector') => void
  onUnknownColumns?: (columns: string[]) => void
  onProgress?: (progress: ImportProgress) => void
  onRetry?: (reason: string, delayMs: number) => void
  /** Batch sizes and concurrency (benchmarks, tests). */
  sender?: Pick<
    SenderOptions,
    'maxBatchBytes' | 'maxBatchEvents' | 'maxInFlight' | 'maxRetries' | 'backoffMs'
  >
}

export interface ImportProgress {
  bytesRead: number
  size: number
  rows: number
}

export interface ImportSummary {
  /** Rows in the file (records or non-blank lines, the CSV header excluded). */
  rows: number
  /** Rows that passed validation (sent, unless a dry run). */
  valid: number
  sent: number
  /** Accepted by the collector: stored now, or already stored by an earlier import. */
  accepted: number
  /** Bad rows found here. */
  invalid: number
  /** Rows the collector rejected. */
  rejected: number
  ms: number
}

const PROGRESS_EVERY_ROWS = 1_000

export async function importFile(options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now()
  if (!options.dryRun) checkKey(options.key)
  const source = await openSource({
    path: options.path,
    format: options.format,
    ...(options.onUnknownColumns ? { onUnknownColumns: options.onUnknownColumns } : {}),
  })
  let rejected = 0
  const sender = options.dryRun
    ? undefined
    : new BatchSender({
        ...options.sender,
        url: options.url,
        key: options.key,
        onRejected: (line, error) => {
          rejected++
          options.onBadRow(line, error, 'collector')
        },
        ...(options.onRetry ? { onRetry: options.onRetry } : {}),
      })
  let rows = 0
  let valid = 0
  let invalid = 0
  const progress = () =>
    options.onProgress?.({ bytesRead: source.bytesRead(), size: source.size, rows })
  progress()
  try {
    for await (const row of source.rows) {
      rows++
      if (rows % PROGRESS_EVERY_ROWS === 0) progress()
      const result = 'error' in row ? row : eventFromFields(row.fields)
      if ('error' in result) {
        invalid++
        options.onBadRow(row.line, result.error, 'import')
        continue
      }
      valid++
      await sender?.add(result.json, row.line)
    }
    await sender?.finish()
  } catch (error) {
    source.close()
    await sender?.settle()
    if (!(error instanceof ImportStopped) || !sender) throw error
    throw new ImportStopped(
      `${error.message}\nStopped after ${rows} rows: ${sender.accepted} accepted. Importing the file again is harmless: rows are deduplicated.`,
    )
  }
  progress()
  return {
    rows,
    valid,
    sent: sender?.sent ?? 0,
    accepted: sender?.accepted ?? 0,
    invalid,
    rejected,
    ms: performance.now() - started,
  }
}

function checkKey(key: string): void {
  if (!key) {
    throw new ImportStopped(
      'no key: pass the project\'s secret key ("sk_…") with --key or TOUCHLINE_SECRET_KEY.',
    )
  }
  if (key.startsWith('wk_')) {
    throw new ImportStopped(
      'that is the write key: imports need the secret key ("sk_…"), or the collector would move historical timestamps to the last 7 days.',
    )
  }
}
