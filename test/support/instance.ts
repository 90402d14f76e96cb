/** A fresh embedded instance in a temporary directory, for integration tests. */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { LocalAccount } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { loadConfig } from '../../src/config.ts'
import type { Principal } from '../../src/identity/principal.ts'
import { createLogger } from '../../src/logger.ts'
import type { Actor } from '../../src/services/context.ts'
import { type Instance, openInstance } from '../../src/services/instance.ts'

export async function openTestInstance(
  env: Record<string, string> = {},
): Promise<Instance & { dir: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tillid-test-'))
  const config = loadConfig({ TILLID_DATA_DIR: dir, TILLID_LOG_LEVEL: 'warn', ...env })
  const instance = await openInstance(config, createLogger('warn'))
  const close = instance.close
  return {
    ...instance,
    dir,
    async close() {
      await close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** An actor with its own key, for service tests that do not go through the login. */
export function testActor(
  principal: Partial<Principal> & Pick<Principal, 'role'>,
): Actor & { account: LocalAccount } {
  const account = privateKeyToAccount(generatePrivateKey())
  return {
    account,
    principal: {
      personId: principal.personId ?? `person-${account.address}`,
      subject: principal.subject ?? account.address,
      name: principal.name ?? 'Test',
      kind: principal.kind ?? 'staff',
      organisation: principal.organisation ?? null,
      kle: principal.kle ?? [],
      cprIndexes: principal.cprIndexes ?? [],
      role: principal.role,
    },
    withAccount: (fn) => fn(account),
  }
}
