/**
 * `tillid backup` / `tillid restore`: one archive holding every table of the store (a consistent
 * snapshot: one REPEATABLE READ transaction) and the ledger snapshot files from the data dir.
 * The ledger journal is a store table, so store, journal and snapshots travel together; only
 * snapshots the dumped journal has reached are included, so the set is consistent.
 *
 * Rows are dumped with row_to_json and restored with json_populate_record: PostgreSQL itself
 * converts every type (bytea, int8, jsonb, timestamps) both ways, the same on PGlite and server.
 * The key-encryption key is NOT in the archive: archive and KEK together read every case, so
 * they must be kept apart (docs/store.md).
 *
 * Format: gzip of newline-delimited JSON — a header, one line per row, one per file, and a
 * trailer with counts and a SHA-256 over the lines, so a truncated or altered archive is refused.
 */
import { createHash } from 'node:crypto'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { type Kysely, sql } from 'kysely'
import type { Database } from '../store/schema.ts'

export const BACKUP_FORMAT = 'tillid-backup'
export const BACKUP_VERSION = 1

export class BackupError extends Error {
  override name = 'BackupError'
  constructor(
    readonly code: 'BACKUP_CORRUPT' | 'BACKUP_INCOMPATIBLE' | 'RESTORE_TARGET_NOT_EMPTY',
    message: string,
  ) {
    super(message)
  }
}

export interface BackupSummary {
  file: string
  tables: number
  rows: number
  files: number
}

type Line =
  | { type: 'header'; format: string; version: number; createdAt: string; migrations: string[] }
  | { type: 'row'; table: string; row: string }
  | { type: 'file'; path: string; data: string }
  | { type: 'trailer'; rows: number; files: number; sha256: string }

const BOOKKEEPING = new Set(['kysely_migration', 'kysely_migration_lock'])
const SNAPSHOT_DIR = path.join('ledger', 'snapshots')
const SNAPSHOT_NAME = /^snapshot-(\d{16})-(\d{12})\.anvil\.gz$/

async function tablesInOrder(db: Kysely<Database>): Promise<string[]> {
  const tables = (
    await sql<{ name: string }>`
      select table_name as name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(db)
  ).rows
    .map((r) => r.name)
    .filter((t) => !BOOKKEEPING.has(t))
  const edges = (
    await sql<{ child: string; parent: string }>`
      select c.relname as child, p.relname as parent
      from pg_constraint k
      join pg_class c on c.oid = k.conrelid
      join pg_class p on p.oid = k.confrelid
      join pg_namespace n on n.oid = c.relnamespace
      where k.contype = 'f' and n.nspname = current_schema()`.execute(db)
  ).rows
  // Parents before children, so foreign keys hold while rows are inserted.
  const ordered: string[] = []
  const visiting = new Set<string>()
  const visit = (t: string) => {
    if (ordered.includes(t) || visiting.has(t)) return
    visiting.add(t)
    for (const e of edges) if (e.child === t && e.parent !== t) visit(e.parent)
    visiting.delete(t)
    ordered.push(t)
  }
  for (const t of tables) visit(t)
  return ordered
}

async function migrationsOf(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)
  return rows.map((r) => r.name)
}

/** Writes the archive atomically (temp file, fsync, rename). */
export async function backup(
  db: Kysely<Database>,
  opts: { out: string; dataDir?: string | null },
): Promise<BackupSummary> {
  const lines: string[] = []
  const hash = createHash('sha256')
  const push = (l: Line) => {
    const s = JSON.stringify(l)
    hash.update(s).update('\n')
    lines.push(s)
  }
  let rows = 0
  let tableCount = 0
  let journalSeq = -1n
  await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      push({
        type: 'header',
        format: BACKUP_FORMAT,
        version: BACKUP_VERSION,
        createdAt: new Date().toISOString(),
        migrations: await migrationsOf(trx),
      })
      for (const table of await tablesInOrder(trx)) {
        tableCount++
        const { rows: dumped } = await sql<{ row: string }>`
          select row_to_json(t)::text as row from ${sql.table(table)} t`.execute(trx)
        for (const r of dumped) push({ type: 'row', table, row: r.row })
        rows += dumped.length
        if (table === 'ledger_journal' && dumped.length) {
          const { rows: m } = await sql<{
            seq: string
          }>`select max(seq)::text as seq from ledger_journal`.execute(trx)
          journalSeq = BigInt(m[0]?.seq ?? '-1')
        }
      }
    })
  let files = 0
  if (opts.dataDir) {
    const dir = path.join(opts.dataDir, SNAPSHOT_DIR)
    const names = await fs.readdir(dir).catch(() => [] as string[])
    for (const name of names.sort()) {
      const m = SNAPSHOT_NAME.exec(name)
      // A snapshot taken after the dump's journal position would not match the restored journal.
      if (!m || BigInt(m[1]!) > journalSeq) continue
      push({
        type: 'file',
        path: path.join(SNAPSHOT_DIR, name),
        data: (await fs.readFile(path.join(dir, name))).toString('base64'),
      })
      files++
    }
  }
  const digest = hash.digest('hex')
  lines.push(JSON.stringify({ type: 'trailer', rows, files, sha256: digest } satisfies Line))
  const tmp = `${opts.out}.${process.pid}.tmp`
  const handle = await fs.open(tmp, 'w', 0o600)
  try {
    await handle.writeFile(gzipSync(Buffer.from(`${lines.join('\n')}\n`)))
    await handle.sync()
  } finally {
    await handle.close()
  }
  await fs.rename(tmp, opts.out)
  return { file: opts.out, tables: tableCount, rows, files }
}

function readArchive(bytes: Buffer): Line[] {
  let text: string
  try {
    text = gunzipSync(bytes).toString('utf8')
  } catch {
    throw new BackupError('BACKUP_CORRUPT', 'archive is not a gzip file or is truncated')
  }
  const raw = text.split('\n').filter(Boolean)
  const lines = raw.map((l) => {
    try {
      return JSON.parse(l) as Line
    } catch {
      throw new BackupError('BACKUP_CORRUPT', 'archive has a damaged line')
    }
  })
  const header = lines[0]
  const trailer = lines.at(-1)
  if (header?.type !== 'header' || header.format !== BACKUP_FORMAT) {
    throw new BackupError('BACKUP_CORRUPT', 'not a Tillid backup')
  }
  if (header.version !== BACKUP_VERSION) {
    throw new BackupError('BACKUP_INCOMPATIBLE', `backup format version ${header.version} is not supported`)
  }
  if (trailer?.type !== 'trailer')
    throw new BackupError('BACKUP_CORRUPT', 'archive is truncated (no trailer)')
  const hash = createHash('sha256')
  for (const l of raw.slice(0, -1)) hash.update(l).update('\n')
  if (hash.digest('hex') !== trailer.sha256)
    throw new BackupError('BACKUP_CORRUPT', 'archive checksum does not match')
  return lines
}

/**
 * Restores an archive into a freshly migrated store (refused if it holds cases or journal
 * entries) and writes the ledger snapshots into dataDir. One transaction: all or nothing.
 */
export async function restore(
  db: Kysely<Database>,
  opts: { file: string; dataDir?: string | null },
): Promise<{ tables: number; rows: number; files: number }> {
  const lines = readArchive(await fs.readFile(opts.file))
  const header = lines[0] as Extract<Line, { type: 'header' }>
  const have = new Set(await migrationsOf(db))
  const missing = header.migrations.filter((m) => !have.has(m))
  if (missing.length) {
    throw new BackupError(
      'BACKUP_INCOMPATIBLE',
      `backup needs migrations this version lacks: ${missing.join(', ')}`,
    )
  }
  const byTable = new Map<string, string[]>()
  for (const l of lines) {
    if (l.type === 'row') {
      const list = byTable.get(l.table)
      if (list) list.push(l.row)
      else byTable.set(l.table, [l.row])
    }
  }
  let rows = 0
  let tables = 0
  await db.transaction().execute(async (trx) => {
    for (const probe of ['cases', 'ledger_journal'] as const) {
      const { rows: r } = await sql<{
        n: string
      }>`select count(*)::text as n from ${sql.table(probe)}`.execute(trx)
      if (r[0]?.n !== '0')
        throw new BackupError('RESTORE_TARGET_NOT_EMPTY', `the target store already has ${probe}`)
    }
    const order = await tablesInOrder(trx)
    const unknown = [...byTable.keys()].filter((t) => !order.includes(t))
    if (unknown.length)
      throw new BackupError('BACKUP_INCOMPATIBLE', `unknown tables in backup: ${unknown.join(', ')}`)
    // Rows seeded by migrations (the access-log head, the municipality list) are replaced by the
    // backup's; cascade also empties tables that reference them, which the backup then refills.
    const seeded = order.filter((t) => byTable.has(t))
    if (seeded.length) await sql`truncate ${sql.join(seeded.map((t) => sql.table(t)))} cascade`.execute(trx)
    for (const table of order) {
      const list = byTable.get(table)
      if (!list) continue
      tables++
      for (let i = 0; i < list.length; i += 500) {
        const chunk = list.slice(i, i + 500)
        await sql`
          insert into ${sql.table(table)}
          select r.* from json_array_elements(${`[${chunk.join(',')}]`}::json) as e,
            lateral json_populate_record(null::${sql.table(table)}, e) as r`.execute(trx)
        rows += chunk.length
      }
    }
    // Serial columns continue after the restored rows.
    const { rows: serials } = await sql<{ table: string; column: string }>`
      select table_name as table, column_name as column from information_schema.columns
      where table_schema = current_schema() and column_default like 'nextval(%'`.execute(trx)
    for (const s of serials) {
      if (!byTable.has(s.table)) continue
      await sql`select setval(pg_get_serial_sequence(${s.table}, ${s.column}), coalesce(max(${sql.ref(s.column)}), 0) + 1, false) from ${sql.table(s.table)}`.execute(
        trx,
      )
    }
  })
  let files = 0
  if (opts.dataDir) {
    for (const l of lines) {
      if (l.type !== 'file') continue
      const target = path.join(opts.dataDir, l.path)
      if (!target.startsWith(path.join(opts.dataDir, SNAPSHOT_DIR) + path.sep)) {
        throw new BackupError('BACKUP_CORRUPT', `archive file path escapes the snapshot directory: ${l.path}`)
      }
      await fs.mkdir(path.dirname(target), { recursive: true })
      await fs.writeFile(target, Buffer.from(l.data, 'base64'))
      files++
    }
  }
  return { tables, rows, files }
}
