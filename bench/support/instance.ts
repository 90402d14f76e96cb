/** A whole embedded Tillid instance in a temporary directory, for benchmarks. */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { loadConfig } from '../../src/config.ts'
import { createLogger } from '../../src/logger.ts'
import { type Instance, openInstance } from '../../src/services/instance.ts'

export async function openBenchInstance(env: Record<string, string> = {}): Promise<Instance> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tillid-bench-'))
  const config = loadConfig({
    TILLID_DATA_DIR: dir,
    TILLID_LOG_LEVEL: 'warn',
    TILLID_DEMO: 'true',
    ...env,
  })
  const instance = await openInstance(config, createLogger('warn'))
  return {
    ...instance,
    async close() {
      await instance.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
