/**
 * One Tillid per data directory: PGlite and the embedded ledger are one process's. The lock is a
 * pid file; a file left by a process that is gone (kill -9) is taken over.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import path from 'node:path'

export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError'
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Returns the pid of the Tillid that holds `dataDir`, or null. */
export function dataDirOwner(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(path.join(dataDir, 'tillid.pid'), 'utf8').trim())
    return pid && pid !== process.pid && alive(pid) ? pid : null
  } catch {
    return null
  }
}

export function lockDataDir(dataDir: string): () => void {
  const owner = dataDirOwner(dataDir)
  if (owner) {
    throw new DataDirInUseError(
      `${dataDir} is in use by Tillid process ${owner}: stop it, use --url to talk to it, or set TILLID_DATA_DIR`,
    )
  }
  const file = path.join(dataDir, 'tillid.pid')
  writeFileSync(file, String(process.pid))
  return () => rmSync(file, { force: true })
}
