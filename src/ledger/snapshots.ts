/**
 * Ledger snapshots: the output of anvil_dumpState (gzip of accounts, blocks, transactions and
 * receipts) in DATA_DIR/ledger/snapshots. Each file is written atomically (temp file, fsync,
 * rename, fsync of the directory), so a crash leaves either the old set or the new one, and
 * its name records the journal position and block number it was taken at.
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { bytesToHex, type Hex, hexToBytes } from 'viem'

export interface SnapshotInfo {
  file: string
  /** Last journal entry applied when the snapshot was taken. */
  seq: bigint
  /** Head block number in the snapshot. */
  blockNumber: bigint
}

const NAME = /^snapshot-(\d{16})-(\d{12})\.anvil\.gz$/

export class SnapshotCorruptError extends Error {
  override name = 'SnapshotCorruptError'
}

export class SnapshotStore {
  constructor(
    readonly dir: string,
    readonly keep = 3,
  ) {}

  /** Creates the directory and removes temp files a crash left behind. */
  async init(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true })
    for (const name of await fs.readdir(this.dir)) {
      if (name.endsWith('.tmp')) await fs.rm(path.join(this.dir, name), { force: true })
    }
  }

  /** Newest first. */
  async list(): Promise<SnapshotInfo[]> {
    const names = await fs.readdir(this.dir).catch(() => [] as string[])
    const found: SnapshotInfo[] = []
    for (const name of names) {
      const m = NAME.exec(name)
      if (m?.[1] && m[2])
        found.push({ file: path.join(this.dir, name), seq: BigInt(m[1]), blockNumber: BigInt(m[2]) })
    }
    return found.sort((a, b) => (a.seq === b.seq ? 0 : a.seq > b.seq ? -1 : 1))
  }

  /** Writes a snapshot atomically and keeps only the newest `keep`. */
  async write(seq: bigint, blockNumber: bigint, state: Hex): Promise<SnapshotInfo> {
    const name = `snapshot-${seq.toString().padStart(16, '0')}-${blockNumber.toString().padStart(12, '0')}.anvil.gz`
    const file = path.join(this.dir, name)
    const tmp = `${file}.${process.pid}.tmp`
    const handle = await fs.open(tmp, 'w')
    try {
      await handle.writeFile(hexToBytes(state))
      await handle.sync()
    } finally {
      await handle.close()
    }
    await fs.rename(tmp, file)
    await syncDir(this.dir)
    await this.prune()
    return { file, seq, blockNumber }
  }

  /** The state to give anvil_loadState; throws SnapshotCorruptError for a damaged or unreadable file. */
  async read(info: SnapshotInfo): Promise<Hex> {
    let bytes: Buffer
    try {
      bytes = await fs.readFile(info.file)
    } catch (e) {
      throw new SnapshotCorruptError(`cannot read ${path.basename(info.file)}: ${(e as Error).message}`)
    }
    validate(bytes, info.file)
    return bytesToHex(bytes)
  }

  /** Renames a snapshot so it no longer counts (kept for inspection). */
  async setAside(info: SnapshotInfo, why: string): Promise<void> {
    await fs.rename(info.file, `${info.file}.${why}`)
  }

  async prune(): Promise<void> {
    const all = await this.list()
    for (const old of all.slice(this.keep)) await fs.rm(old.file, { force: true })
  }
}

function validate(bytes: Buffer, file: string): void {
  const name = path.basename(file)
  if (bytes.length === 0) throw new SnapshotCorruptError(`${name} is empty`)
  const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b
  try {
    // gzip carries a CRC-32 and the length of its content: a truncated or altered file fails here.
    const json = gzip ? gunzipSync(bytes) : bytes
    const head = json.subarray(0, 1).toString()
    if (head !== '{') throw new Error('not a JSON state dump')
  } catch (e) {
    throw new SnapshotCorruptError(`${name} is corrupt: ${(e as Error).message}`)
  }
}

async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return
  const handle = await fs.open(dir, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
