import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createProject } from '../projects/projects'
import type { SqliteStore } from '../store/sqlite/sqlite-store'
import { withStore } from './store'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'touchline-with-store-'))
  dirs.push(dir)
  return join(dir, 'touchline.db')
}

describe('withStore', () => {
  it('gives the database at --db, committed and closed after, and the answer of use', async () => {
    const db = tempDb()
    let opened: SqliteStore | undefined
    const id = await withStore({ db }, async (store) => {
      opened = store as SqliteStore
      return (await createProject(store, { name: 'Acme' })).project.id
    })
    expect(opened?.db.open).toBe(false)
    const names = await withStore({ db }, async (store) =>
      (await store.listProjects()).filter((p) => p.id === id).map((p) => p.name),
    )
    expect(names).toEqual(['Acme'])
  })

  it('closes the database when use throws, and throws its error', async () => {
    let opened: SqliteStore | undefined
    await expect(
      withStore({ db: tempDb() }, async (store) => {
        opened = store as SqliteStore
        throw new Error('No project p-1')
      }),
    ).rejects.toThrow('No project p-1')
    expect(opened?.db.open).toBe(false)
  })
})
