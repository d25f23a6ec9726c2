/**
 * A baseline for the ingest benchmark (`pnpm bench:ingest --baseline <ref>`): another commit
 * of this repository checked out in a detached git worktree in a fresh temporary folder,
 * with its dependencies installed, so that its collector runs in the same benchmark run as
 * the working tree's: on a noisy machine only figures of one run compare.
 *
 * The worktree is removed by `remove()`, and in any case when the process exits (the
 * benchmark turns SIGINT and SIGTERM into an exit). A SIGKILL leaves it: tsx sends one when
 * a Ctrl-C finds the event loop busy for more than 60 ms, which is why the benchmark checks
 * out after its synchronous storage runs. Left over, `rm -rf` the folder; the next checkout
 * runs `git worktree prune`, which forgets it.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'

export interface BaselineCheckout {
  /** The ref as given. */
  ref: string
  /** The commit it names (full hash). */
  commit: string
  dir: string
  /** The collector's CLI entry point inside the checkout, run from source with tsx. */
  cliPath: string
  /** Removes the worktree (`git worktree remove --force`, then `prune`); safe to call twice. */
  remove(): void
}

const live = new Set<BaselineCheckout>()
process.on('exit', () => {
  for (const checkout of live) checkout.remove()
})

function git(cwd: string, args: string[]): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim()
    throw new Error(`git ${args.join(' ')} failed${stderr ? `: ${stderr}` : ''}`)
  }
}

/** Runs a command in `cwd`, its output kept (shown only if it fails); resolves to success. */
function run(
  command: string,
  args: string[],
  cwd: string,
  started: (child: ChildProcess) => void,
): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    started(child)
    let output = ''
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4_000)
    }
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    child.once('error', (error) => resolve({ ok: false, output: `${output}${error.message}` }))
    child.once('close', (code, signal) =>
      resolve({
        ok: code === 0,
        output: code === 0 ? output : `${output}(exit ${signal ?? code})`,
      }),
    )
  })
}

/**
 * Checks out `ref` of the repository at `repoRoot` in a new detached worktree and installs
 * its dependencies. `cliPath` is where `collectorCli` (the working tree's CLI entry) stands
 * in the checkout. Throws, the worktree removed, if the ref is not a commit, the install
 * fails or the checkout has no such entry point.
 */
/** The commit `ref` names in the repository at `repoRoot` (full hash); throws if none. */
export function resolveCommit(ref: string, repoRoot: string): string {
  try {
    return git(repoRoot, ['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`]).trim()
  } catch {
    throw new Error(`--baseline ${ref}: not a commit of the repository at ${repoRoot}`)
  }
}

export async function checkOutBaseline(
  ref: string,
  repoRoot: string,
  collectorCli: string,
  log: (line: string) => void = console.log,
): Promise<BaselineCheckout> {
  const commit = resolveCommit(ref, repoRoot)
  // Forgets worktrees whose folder is gone, e.g. of a run that was killed.
  git(repoRoot, ['worktree', 'prune'])
  const dir = mkdtempSync(join(tmpdir(), 'touchline-baseline-'))
  let installing: ChildProcess | undefined
  let removed = false
  const checkout: BaselineCheckout = {
    ref,
    commit,
    dir,
    cliPath: join(dir, relative(repoRoot, collectorCli)),
    remove() {
      if (removed) return
      removed = true
      live.delete(checkout)
      installing?.kill('SIGKILL')
      try {
        git(repoRoot, ['worktree', 'remove', '--force', dir])
      } catch {
        // Not registered (the add failed) or half removed: the folder goes below, and
        // prune forgets the registration.
      }
      rmSync(dir, { recursive: true, force: true })
      try {
        git(repoRoot, ['worktree', 'prune'])
      } catch (error) {
        console.error(`baseline: ${(error as Error).message}`)
      }
    },
  }
  live.add(checkout)
  try {
    log(`baseline ${ref} (${commit.slice(0, 12)}): checking out in ${dir}…`)
    git(repoRoot, ['worktree', 'add', '--detach', dir, commit])
    if (!existsSync(checkout.cliPath)) {
      throw new Error(
        `baseline ${ref} has no ${relative(dir, checkout.cliPath)}: the benchmark runs the ` +
          "collector's CLI from source at that path",
      )
    }
    const started = (child: ChildProcess) => {
      installing = child
    }
    log('baseline: pnpm install --frozen-lockfile --offline…')
    let install = await run('pnpm', ['install', '--frozen-lockfile', '--offline'], dir, started)
    if (!install.ok && !removed) {
      log('baseline: the offline install failed (a package not in the store?); online…')
      install = await run('pnpm', ['install', '--frozen-lockfile'], dir, started)
    }
    installing = undefined
    if (removed) throw new Error('baseline: removed while installing')
    if (!install.ok) {
      throw new Error(`baseline: pnpm install failed at ${ref}:\n${install.output.trim()}`)
    }
    // No build: `touchline serve` runs from source through tsx at the refs this benchmark
    // compares. What a build makes (the SDK script, the dashboard) is only served if present,
    // off the ingest path; the benchmark builds neither checkout.
    return checkout
  } catch (error) {
    checkout.remove()
    throw error
  }
}

/** The working tree, for the report: its HEAD commit, and whether it has changes on top. */
export function describeHead(repoRoot: string): string {
  const head = git(repoRoot, ['rev-parse', '--short=7', 'HEAD']).trim()
  const changed = git(repoRoot, ['status', '--porcelain']).trim() !== ''
  return changed ? `${head} + uncommitted changes` : head
}
