import { basename } from 'node:path'
import { MultiBar, type SingleBar } from 'cli-progress'
import { type Command, InvalidArgumentError, Option } from 'commander'
import { type ImportProgress, type ImportSummary, importFile } from './import'
import { formatOfPath, IMPORT_FORMATS, type ImportFormat } from './read'

/** The collector to send to: $TOUCHLINE_PUBLIC_URL, else this machine on $PORT (8787). */
export function defaultCollectorUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.TOUCHLINE_PUBLIC_URL || `http://127.0.0.1:${env.PORT || 8787}`
}

interface ImportCommandOptions {
  format?: ImportFormat
  url?: string
  key?: string
  dryRun?: boolean
  quiet?: boolean
}

/** Parses --url: an http(s) URL, without trailing slashes. */
export function collectorUrl(value: string): string {
  try {
    const url = new URL(value)
    if (url.protocol === 'http:' || url.protocol === 'https:') return value.replace(/\/+$/, '')
  } catch {}
  throw new InvalidArgumentError('not an http(s) URL')
}

/** Registers `touchline import <file>`. */
export function registerImportCommand(program: Command): void {
  program
    .command('import')
    .description(
      'Import offline touches, CRM stages and other events from a CSV or NDJSON file (see the README)',
    )
    .argument('<file>', 'a .csv, .ndjson or .jsonl file (optionally .gz)')
    .addOption(
      new Option('--format <format>', 'the file format (default: from the extension)').choices(
        IMPORT_FORMATS,
      ),
    )
    .option(
      '--url <url>',
      'the collector (default: $TOUCHLINE_PUBLIC_URL or http://127.0.0.1:$PORT, port 8787)',
      collectorUrl,
    )
    .option('--key <key>', "the project's secret key (default: $TOUCHLINE_SECRET_KEY)")
    .option('--dry-run', 'validate the file and report bad rows, send nothing')
    .option('-q, --quiet', 'no progress bar (there is none when stderr is not a terminal)')
    .action(async (file: string, opts: ImportCommandOptions) => {
      const format = opts.format ?? formatOfPath(file)
      if (!format) {
        throw new InvalidArgumentError(
          `cannot tell the format of ${file}: name it .csv, .ndjson or .jsonl, or pass --format csv|ndjson`,
        )
      }
      const progress = !opts.quiet && process.stderr.isTTY ? progressBar() : undefined
      const say = (line: string) =>
        progress ? progress.log(line) : process.stderr.write(`${line}\n`)
      let summary: ImportSummary
      try {
        summary = await importFile({
          path: file,
          format,
          url: opts.url ?? defaultCollectorUrl(),
          key: opts.key ?? process.env.TOUCHLINE_SECRET_KEY ?? '',
          dryRun: opts.dryRun ?? false,
          onBadRow: (line, error, by) =>
            say(`line ${line}: ${by === 'collector' ? 'rejected by the collector: ' : ''}${error}`),
          onUnknownColumns: (columns) =>
            say(
              `note: ignoring the columns ${columns.map((c) => `"${c}"`).join(', ')} (not documented: prefix a column with "properties." or "traits." to keep it)`,
            ),
          onRetry: (reason, delayMs) =>
            say(`collector: ${reason}; retrying in ${(delayMs / 1_000).toFixed(1)} s`),
          ...(progress ? { onProgress: progress.update } : {}),
        })
      } finally {
        progress?.stop()
      }
      console.log(summaryLine(basename(file), summary, opts.dryRun ?? false))
      if (summary.invalid + summary.rejected > 0) process.exitCode = 1
    })
}

export function summaryLine(file: string, s: ImportSummary, dryRun: boolean): string {
  const seconds = s.ms / 1_000
  const rate = seconds > 0 ? Math.round(s.rows / seconds) : s.rows
  const bad = s.invalid + s.rejected
  const time = `in ${seconds.toFixed(1)} s (${rate} rows/s)`
  if (dryRun) {
    return `${file}: ${s.rows} rows read, ${s.valid} valid, ${bad} bad (dry run: nothing sent) ${time}`
  }
  return `${file}: ${s.rows} rows read, ${s.sent} sent, ${s.accepted} accepted, ${bad} bad (${s.invalid} invalid, ${s.rejected} rejected by the collector) ${time}`
}

const megabytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MB`

/**
 * Progress by bytes of the file read, on stderr. cli-progress's MultiBar (even for one bar)
 * is the one that prints lines above the bar without garbling either.
 */
function progressBar(): {
  update: (progress: ImportProgress) => void
  log: (line: string) => void
  stop: () => void
} {
  const bars = new MultiBar({
    format: 'importing {bar} {percentage}% | {read} of {size} | {rows} rows | ETA {eta_formatted}',
    clearOnComplete: true,
    etaBuffer: 50,
  })
  let bar: SingleBar | undefined
  return {
    update: ({ bytesRead, size, rows }) => {
      const payload = { read: megabytes(bytesRead), size: megabytes(size), rows }
      if (bar) bar.update(bytesRead, payload)
      else bar = bars.create(Math.max(size, 1), bytesRead, payload)
    },
    log: (line) => bars.log(`${line}\n`),
    stop: () => {
      bars.update() // prints the lines logged since the last redraw
      bars.stop()
    },
  }
}
