import {
  generateSecretKey,
  generateWriteKey,
  hashSecretKey,
  isValidKey,
  SECRET_KEY_PREFIX,
  WRITE_KEY_PREFIX,
} from '../auth/keys'
import type { NewProject, Project, ProjectSettings, Store } from '../store/store'

export interface CreatedProject {
  project: Project
  /** The secret key in clear: shown once, stored only as a hash. */
  secretKey: string
}

export interface CreateProjectOptions {
  name: string
  writeKey?: string | undefined
  secretKey?: string | undefined
  settings?: Partial<ProjectSettings>
}

export function checkKeys(keys: {
  writeKey?: string | undefined
  secretKey?: string | undefined
}): void {
  if (keys.writeKey !== undefined && !isValidKey(keys.writeKey, WRITE_KEY_PREFIX)) {
    throw new Error(
      'A write key must start with "wk_" and have 16–200 letters, digits, "_" or "-".',
    )
  }
  if (keys.secretKey !== undefined && !isValidKey(keys.secretKey, SECRET_KEY_PREFIX)) {
    throw new Error(
      'A secret key must start with "sk_" and have 16–200 letters, digits, "_" or "-".',
    )
  }
}

export async function createProject(
  store: Store,
  options: CreateProjectOptions,
): Promise<CreatedProject> {
  const { input, secretKey } = await newProject(options)
  return { project: await store.createProject(input), secretKey }
}

/** A project's row with its keys (generated unless given), and its secret key in clear. */
async function newProject(
  options: CreateProjectOptions,
): Promise<{ input: NewProject; secretKey: string }> {
  checkKeys(options)
  const secretKey = options.secretKey ?? generateSecretKey()
  const input: NewProject = {
    name: options.name,
    writeKey: options.writeKey ?? generateWriteKey(),
    secretKeyHash: await hashSecretKey(secretKey),
    ...(options.settings ? { settings: options.settings } : {}),
  }
  return { input, secretKey }
}

export interface DefaultProject {
  project: Project
  /** Set when the secret key was generated now (it cannot be shown again later). */
  newSecretKey?: string
}

/**
 * On an empty database creates the default project; when keys are given (from
 * TOUCHLINE_WRITE_KEY / TOUCHLINE_SECRET_KEY) they become the default project's keys.
 */
export async function ensureDefaultProject(
  store: Store,
  options: {
    writeKey?: string | undefined
    secretKey?: string | undefined
    allowedOrigins?: string[]
  },
): Promise<DefaultProject> {
  checkKeys(options)
  let [existing] = await store.listProjects()
  if (!existing) {
    const { input, secretKey } = await newProject({
      name: 'default',
      writeKey: options.writeKey,
      secretKey: options.secretKey,
      ...(options.allowedOrigins ? { settings: { allowedOrigins: options.allowedOrigins } } : {}),
    })
    // Created only if no other collector on the same database created one meanwhile.
    const project = await store.createFirstProject(input)
    if (project) return options.secretKey ? { project } : { project, newSecretKey: secretKey }
    ;[existing] = await store.listProjects()
    if (!existing) throw new Error('the default project was created and is gone')
  }
  const secretKeyHash = options.secretKey ? await hashSecretKey(options.secretKey) : undefined
  await store.updateProject(existing.id, {
    ...(options.writeKey ? { writeKey: options.writeKey } : {}),
    ...(secretKeyHash ? { secretKeyHash } : {}),
    ...(options.allowedOrigins ? { settings: { allowedOrigins: options.allowedOrigins } } : {}),
  })
  const [project] = await store.listProjects()
  return { project: project ?? existing }
}
