import { readFileSync } from 'node:fs'
import { describeSessionSettings, validateChannelRules } from '@touchline/shared'
import { Command, InvalidArgumentError } from 'commander'
import { erasePerson, personIdentifier } from '../identity/persons'
import { maintainedExcludedDomains } from '../node/email-domains'
import { optionsFromEnv, runCollector } from '../node/serve'
import { createProject } from '../projects/projects'
import {
  derivationSettings,
  sessionSettingsOf,
  touchOptionsOfDerivation,
} from '../reports/device-sessions'
import type { Project, ProjectSettings, Store } from '../store/store'
import { registerDemoCommand } from './demo'
import { registerImportCommand } from './import/command'
import { registerReportCommands } from './report/command'
import { dbOption, dbPath, withStore } from './store'
import { registerWarningsCommand } from './warnings/command'

const program = new Command()
  .name('touchline')
  .description('Touchline: self-hosted multi-session marketing attribution.')
  .showHelpAfterError()

function port(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new InvalidArgumentError('not a port number')
  return n
}

program
  .command('serve')
  .description('Start the collector (env: PORT, HOST, TOUCHLINE_DB, TOUCHLINE_WRITE_KEY, …)')
  .option('-p, --port <port>', 'port to listen on (default: $PORT or 8787)', port)
  .option(...dbOption)
  .action(async (opts: { port?: number; db?: string }) => {
    const options = optionsFromEnv()
    await runCollector({
      ...options,
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      dbPath: dbPath(opts.db),
    })
  })

const project = program.command('project').description('Manage projects (tracked sites) and keys')

project
  .command('create')
  .description('Create a project and print its keys (the secret key is shown only now)')
  .requiredOption('-n, --name <name>', 'project name')
  .option('--origin <origin...>', 'allowed browser origins (default: any)')
  .option('--own-domain <domain...>', 'domains of the site itself (never a referral)')
  .option(
    '--exclude-account-domain <domain...>',
    'email domains that make no account (beside the free-mail and disposable lists)',
  )
  .option(...dbOption)
  .action(
    async (opts: {
      name: string
      origin?: string[]
      ownDomain?: string[]
      excludeAccountDomain?: string[]
      db?: string
    }) => {
      await withStore(opts, async (store) => {
        const { project: created, secretKey } = await createProject(store, {
          name: opts.name,
          settings: {
            ...(opts.origin ? { allowedOrigins: opts.origin } : {}),
            ...(opts.ownDomain ? { ownDomains: opts.ownDomain } : {}),
            ...(opts.excludeAccountDomain
              ? { accountDomainsExcluded: opts.excludeAccountDomain }
              : {}),
          },
        })
        console.log(`Project "${created.name}" (${created.id})`)
        console.log(`  write key:  ${created.writeKey}`)
        console.log(`  secret key: ${secretKey}   (shown once: it is stored hashed)`)
      })
    },
  )

project
  .command('list')
  .description('List projects and their write keys')
  .option('--json', 'print JSON')
  .option(...dbOption)
  .action(async (opts: { json?: boolean; db?: string }) => {
    await withStore(opts, async (store) => {
      const projects = await store.listProjects()
      if (opts.json) {
        const shown = projects.map(({ secretKeyHash: _hash, ...rest }) => rest)
        console.log(JSON.stringify(shown, null, 2))
        return
      }
      console.table(
        projects.map((p) => ({
          id: p.id,
          name: p.name,
          writeKey: p.writeKey,
          allowedOrigins: p.settings.allowedOrigins.join(' ') || '(any)',
          created: new Date(p.createdAt).toISOString(),
        })),
      )
    })
  })

function wholeNumber(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('not a whole number ≥ 1')
  return n
}

project
  .command('settings')
  .description("Show a project's settings, changing the ones given")
  .option('--project <id>', 'the project (default: the first one created)')
  .option(
    '--channel-rules <file>',
    'JSON file: the channel rules tried before the GA4 defaults ([] to remove them)',
  )
  .option('--own-domain <domain...>', 'domains of the site itself (never a referral)')
  .option('--origin <origin...>', 'allowed browser origins')
  .option('--lookback-days <days>', 'default report lookback', wholeNumber)
  .option('--session-timeout <minutes>', 'session inactivity timeout', wholeNumber)
  .option(...dbOption)
  .action(
    async (opts: {
      project?: string
      channelRules?: string
      ownDomain?: string[]
      origin?: string[]
      lookbackDays?: number
      sessionTimeout?: number
      db?: string
    }) => {
      const settings: Partial<ProjectSettings> = {
        ...(opts.ownDomain ? { ownDomains: opts.ownDomain } : {}),
        ...(opts.origin ? { allowedOrigins: opts.origin } : {}),
        ...(opts.lookbackDays ? { lookbackDays: opts.lookbackDays } : {}),
        ...(opts.sessionTimeout ? { sessionTimeoutMinutes: opts.sessionTimeout } : {}),
      }
      if (opts.channelRules) {
        let json: unknown
        try {
          json = JSON.parse(readFileSync(opts.channelRules, 'utf8'))
        } catch (error) {
          throw new Error(
            `${opts.channelRules}: ${error instanceof Error ? error.message : String(error)}`,
          )
        }
        const rules = validateChannelRules(json)
        if (!rules.success) {
          throw new Error(`${opts.channelRules}: ${rules.errors.join('; ')}`)
        }
        settings.channelRules = rules.data
      }
      await withStore(opts, async (store) => {
        const found = await findProject(store, opts.project)
        if (Object.keys(settings).length > 0) await store.updateProject(found.id, { settings })
        const updated = await findProject(store, found.id)
        console.log(JSON.stringify(updated.settings, null, 2))
        const derivation = await store.derivation(updated.id)
        const stored = derivation && touchOptionsOfDerivation(derivation.settings)
        if (derivation && derivation.settings !== derivationSettings(updated)) {
          const previous = stored
            ? describeSessionSettings(sessionSettingsOf(stored))
            : 'other settings'
          console.error(
            `Sessions are stored as derived with other settings (${previous}): the collector derives them again with these in the background, while reports use the previous ones; its log and each report's "derivation" say how far it is.`,
          )
        }
      })
    },
  )

/** The project with this id, else the first one created. */
async function findProject(store: Store, id: string | undefined): Promise<Project> {
  const projects = await store.listProjects()
  const found = id ? projects.find((p) => p.id === id) : projects[0]
  if (!found) throw new Error(`No project ${id ?? '(the database has none)'}`)
  return found
}

const person = program.command('person').description('Look up and erase persons')

person
  .command('delete')
  .description(
    'Erase a person (GDPR): the events of all their anonymous IDs, userIds and emails, and their identity links',
  )
  .option('--email <email>', "the person's email")
  .option('--user-id <userId>', "the person's userId")
  .option('--project <id>', 'the project (default: the first one created)')
  .option(...dbOption)
  .action(async (opts: { email?: string; userId?: string; project?: string; db?: string }) => {
    const key = personIdentifier({ email: opts.email, userId: opts.userId })
    if (!key.ok)
      throw new InvalidArgumentError(
        key.error.replace('"email" or "userId"', '--email or --user-id'),
      )
    await withStore(opts, async (store) => {
      const project = await findProject(store, opts.project)
      const erasure = await erasePerson(store, project, key.key, maintainedExcludedDomains)
      console.log(
        `Erased ${erasure.person}: ${erasure.deleted.events} events, ${erasure.deleted.identityLinks} identity links`,
      )
      const { anonymousIds, sharedAnonymousIds, userIds, emails } = erasure.erased
      console.log(
        `  identifiers: ${[...anonymousIds, ...userIds, ...emails].join(', ') || '(none)'}`,
      )
      if (sharedAnonymousIds.length > 0) {
        console.log(
          `  shared devices (only their own sessions and events): ${sharedAnonymousIds.join(', ')}`,
        )
      }
    })
  })

registerImportCommand(program)
registerDemoCommand(program)
registerReportCommands(program)
registerWarningsCommand(program)

program.parseAsync().catch((error: unknown) => {
  console.error(`touchline: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
