import { type ChildProcess, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'

const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href
const EXIT_WITH_PARENT = new URL('./exit-with-parent.ts', import.meta.url).href
/** The collector's CLI entry point. */
export const COLLECTOR_CLI = fileURLToPath(new URL('../cli/main.ts', import.meta.url))
const LISTENING = /listening on (http:\/\/\S+)/

export interface SpawnOptions {
  /** A TypeScript entry point, run by node with tsx's loader. */
  script: string
  args?: string[]
  /** Added to the parent's environment; HOST=127.0.0.1 and PORT=0 unless given. */
  env?: Record<string, string>
  nodeArgs?: string[]
  cwd?: string
  /** Names the server in errors. */
  name?: string
  timeoutMs?: number
}

export interface SpawnedServer {
  url: string
  child: ChildProcess
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** What the server printed so far (stdout and stderr, the last 20,000 characters). */
  output(): string
  /** SIGTERM (the collector finishes its writes), SIGKILL if still running after `graceMs`. */
  stop(graceMs?: number): Promise<void>
}

/**
 * Starts a server in a child process and waits for its `listening on http://…` line.
 * The child shuts down by itself if this process goes away, even killed with SIGKILL.
 */
export async function spawnServer(options: SpawnOptions): Promise<SpawnedServer> {
  const name = options.name ?? 'server'
  const timeoutMs = options.timeoutMs ?? 30_000
  const child = spawn(
    process.execPath,
    [
      '--import',
      TSX_LOADER,
      '--import',
      EXIT_WITH_PARENT,
      ...(options.nodeArgs ?? []),
      options.script,
      ...(options.args ?? []),
    ],
    {
      ...(options.cwd ? { cwd: options.cwd } : {}),
      env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  )
  let output = ''
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000)
  }
  child.stderr?.on('data', keep)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${name} did not start within ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    child.stdout?.on('data', (chunk: Buffer) => {
      keep(chunk)
      const match = LISTENING.exec(output)
      if (match?.[1]) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    child.once('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    exited.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`${name} exited (${signal ?? code}) before listening:\n${output}`))
    })
  })

  const stop = async (graceMs = 20_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    child.kill('SIGTERM')
    await exited
    clearTimeout(timer)
  }
  return { url, child, exited, output: () => output, stop }
}

/** Starts the real collector (`touchline serve`) with the given environment. */
export function spawnCollector(
  env: Record<string, string>,
  options: Omit<SpawnOptions, 'script' | 'args' | 'env'> = {},
): Promise<SpawnedServer> {
  return spawnServer({ name: 'collector', ...options, script: COLLECTOR_CLI, args: ['serve'], env })
}
