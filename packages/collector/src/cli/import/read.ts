import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { pipeline, type Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'
import { type CsvError, type Options, parse } from 'csv-parse'
import { type ColumnName, fieldsOfObject, fieldsOfRecord, headerOf } from './row'

/**
 * Reading an import file as a stream, one row at a time (never the whole file), each row
 * with the line it starts on.
 */

export const IMPORT_FORMATS = ['csv', 'ndjson'] as const
export type ImportFormat = (typeof IMPORT_FORMATS)[number]

export type SourceRow =
  | { line: number; fields: Record<string, unknown> }
  | { line: number; error: string }

export interface ImportSource {
  rows: AsyncIterable<SourceRow>
  /** The file's size in bytes (compressed, for `.gz`). */
  size: number
  /** Bytes of the file read so far. */
  bytesRead(): number
  /** Stops reading (when the import stops early). */
  close(): void
}

/** The format a file name implies: `.csv`, `.ndjson`, `.jsonl` (each optionally `.gz`). */
export function formatOfPath(path: string): ImportFormat | undefined {
  const name = path.toLowerCase().replace(/\.gz$/, '')
  if (name.endsWith('.csv')) return 'csv'
  if (name.endsWith('.ndjson') || name.endsWith('.jsonl')) return 'ndjson'
  return undefined
}

export interface OpenSourceOptions {
  path: string
  format: ImportFormat
  /** Told once about a CSV header's columns that are not documented (they are ignored). */
  onUnknownColumns?: (columns: string[]) => void
}

export async function openSource(options: OpenSourceOptions): Promise<ImportSource> {
  const { path, format } = options
  let size: number
  try {
    const stats = await stat(path)
    if (!stats.isFile()) throw new Error('not a file')
    size = stats.size
  } catch (error) {
    throw new Error(`cannot read ${path}: ${describe(error)}`)
  }
  const file = createReadStream(path, { highWaterMark: 256 * 1024 })
  const input: Readable = path.toLowerCase().endsWith('.gz')
    ? pipeline(file, createGunzip(), () => {})
    : file
  const rows =
    format === 'csv' ? csvRows(input, path, options.onUnknownColumns) : ndjsonRows(input, path)
  return { rows, size, bytesRead: () => file.bytesRead, close: () => input.destroy() }
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'no such file'
  if (code === 'EACCES') return 'permission denied'
  return error instanceof Error ? error.message : String(error)
}

/** A stream error reading `path` (an I/O or decompression error, not a bad row). */
function readError(path: string, error: unknown): Error {
  return new Error(`cannot read ${path}: ${describe(error)}`)
}

const CSV_ERRORS: Partial<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED:
    'a quoted field is never closed: the rest of the file was read as its value',
}

interface CsvRecord {
  cells: string[]
  line: number
}

async function* csvRows(
  input: Readable,
  path: string,
  onUnknownColumns: ((columns: string[]) => void) | undefined,
): AsyncGenerator<SourceRow> {
  // csv-parse tells the line a record ends on; a record starts on the line after the
  // previous one (or the previous error) ended, past the empty lines in between.
  let previousEnd = 0
  let previousEmpty = 0
  const startLine = (end: number, empty: number) => {
    const line = previousEnd + 1 + (empty - previousEmpty)
    previousEnd = Math.max(end, line)
    previousEmpty = empty
    return line
  }
  // Records that could not be parsed, reported in line order among the good ones.
  const skipped: SourceRow[] = []
  const options: Options<CsvRecord, string[]> = {
    bom: true,
    // A quote inside a field that does not start with one is kept as it is (a "b" c).
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_record: (cells: string[], context) => ({
      cells,
      line: startLine(context.lines, context.empty_lines),
    }),
    on_skip: (error: CsvError | undefined) => {
      if (!error) return
      const end = typeof error.lines === 'number' ? error.lines : previousEnd + 1
      const line = startLine(end, parser.info.empty_lines)
      const reason = CSV_ERRORS[error.code] ?? error.message.replace(/ (at|on) line \d+/, '')
      skipped.push({ line, error: `CSV: ${reason}` })
    },
  }
  // The typings' non-generic overload expects records to stay string arrays.
  const parser = parse(options as unknown as Options)
  let failure: unknown
  pipeline(input, parser, (error) => {
    failure = error
  })

  let header: { columns: ColumnName[]; length: number } | undefined
  try {
    for await (const { cells, line } of parser as AsyncIterable<{
      cells: string[]
      line: number
    }>) {
      while (skipped.length > 0 && (skipped[0] as SourceRow).line < line) {
        yield skipped.shift() as SourceRow
      }
      if (!header) {
        const names = cells.map((name) => name.trim())
        const read = headerOf(names)
        if (read.duplicate) {
          throw new Error(`${path}, line ${line}: column "${read.duplicate}" appears twice`)
        }
        if (read.missing) {
          throw new Error(
            `${path}, line ${line}: ${read.missing} in the header (${names.join(',')}); see the README for the columns`,
          )
        }
        if (read.unknown.length > 0) onUnknownColumns?.(read.unknown)
        header = { columns: read.columns, length: names.length }
        continue
      }
      if (cells.length !== header.length) {
        yield {
          line,
          error: `${cells.length} field${cells.length === 1 ? '' : 's'}, but the header has ${header.length} columns`,
        }
        continue
      }
      yield { line, fields: fieldsOfRecord(header.columns, cells) }
    }
  } catch (error) {
    if (error instanceof Error && error.message.startsWith(path)) throw error
    throw readError(path, failure ?? error)
  }
  if (failure) throw readError(path, failure)
  yield* skipped
}

async function* ndjsonRows(input: Readable, path: string): AsyncGenerator<SourceRow> {
  let failure: unknown
  input.once('error', (error) => {
    failure = error
  })
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })
  let line = 0
  try {
    for await (const text of lines) {
      line++
      const json = line === 1 ? text.replace(/^\uFEFF/, '') : text
      if (json.trim() === '') continue
      let value: unknown
      try {
        value = JSON.parse(json)
      } catch (error) {
        yield { line, error: `malformed JSON: ${(error as Error).message}` }
        continue
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        yield { line, error: 'not a JSON object: each line must be one {…} row or event' }
        continue
      }
      yield { line, fields: fieldsOfObject(value as Record<string, unknown>) }
    }
  } catch (error) {
    throw readError(path, failure ?? error)
  }
  if (failure) throw readError(path, failure)
}
