import { randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { BackupError, backup, restore } from '../../src/services/backup.ts'
import { listAnchorSource, verifyIntegrity } from '../../src/services/verifyIntegrity.ts'
import { CaseKeys, createRepositories } from '../../src/store/repositories/index.ts'
import { adapters, openTestStore } from './adapters.ts'
import { buildWorld, PREBEN } from './scenario.ts'

const list = await adapters()
const tmp = path.join(os.tmpdir(), `tillid-backup-${randomBytes(4).toString('hex')}`)
afterAll(() => fs.rm(tmp, { recursive: true, force: true }))

describe.each(list)('backup and restore on %s', (adapter) => {
  it('restores a store that verifies, decrypts with the same KEK and keeps ledger snapshots', async () => {
    const kek = new Uint8Array(randomBytes(32))
    const dataDir = path.join(tmp, `${adapter}-src`)
    const snapshots = path.join(dataDir, 'ledger', 'snapshots')
    await fs.mkdir(snapshots, { recursive: true })
    await fs.writeFile(path.join(snapshots, 'snapshot-0000000000000001-000000000001.anvil.gz'), 'old')
    await fs.writeFile(
      path.join(snapshots, 'snapshot-0000000000000009-000000000009.anvil.gz'),
      'ahead of journal',
    )
    const source = await openTestStore(adapter)
    const target = await openTestStore(adapter)
    try {
      const world = await buildWorld(source, kek)
      await source.db
        .insertInto('ledger_journal')
        .values({ kind: 'tx', payload: '0x01', timestamp: '1767225600' })
        .execute()
      const out = path.join(tmp, `${adapter}.tillid-backup`)
      const summary = await backup(source.db, { out, dataDir })
      expect(summary.files).toBe(1)
      expect((await fs.stat(out)).mode & 0o777).toBe(0o600)

      const restoredDir = path.join(tmp, `${adapter}-dst`)
      const result = await restore(target.db, { file: out, dataDir: restoredDir })
      expect(result.rows).toBe(summary.rows)
      expect(await fs.readdir(path.join(restoredDir, 'ledger', 'snapshots'))).toEqual([
        'snapshot-0000000000000001-000000000001.anvil.gz',
      ])

      const keys = new CaseKeys(kek)
      const report = await verifyIntegrity(target.db, keys, { source: listAnchorSource(world.chain) })
      expect(report.mismatches).toEqual([])
      expect(report.details.anchors).toBe(world.chain.length)
      const repos = createRepositories(target.db, keys)
      expect((await repos.cases.citizens(world.caseId))[0]).toMatchObject({
        cpr: PREBEN.digits,
        name: PREBEN.name,
      })
      // Serial ids and the access-log chain continue where the source stopped.
      const next = await target.db
        .insertInto('ledger_journal')
        .values({ kind: 'tx', payload: '0x02', timestamp: null })
        .returning('seq')
        .executeTakeFirstOrThrow()
      expect(next.seq).toBe('2')
      const e = await repos.accessLog.append({
        actorPersonId: 'x',
        actorRole: 'auditor',
        action: 'read',
        object: 'case',
        purpose: 'audit',
      })
      expect(e.seq).toBe(3)
      expect(
        (await verifyIntegrity(target.db, keys, { source: listAnchorSource(world.chain) })).mismatches,
      ).toEqual([])

      // Restoring twice is refused; a damaged archive is refused before anything is written.
      await expect(restore(target.db, { file: out })).rejects.toMatchObject({
        code: 'RESTORE_TARGET_NOT_EMPTY',
      })
      const bytes = await fs.readFile(out)
      await fs.writeFile(`${out}.cut`, bytes.subarray(0, Math.floor(bytes.length / 2)))
      await expect(restore(target.db, { file: `${out}.cut` })).rejects.toBeInstanceOf(BackupError)
    } finally {
      await source.close()
      await target.close()
    }
  })
})
