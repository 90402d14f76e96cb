/**
 * Server mode for tests: an external anvil standing in for the Besu network (wall-clock time, no
 * cheat calls from Tillid), a recording JSON-RPC proxy in front of it, and Tillid instances in
 * TILLID_MODE=server on PostgreSQL, each in a schema of its own. PostgreSQL must answer at
 * TILLID_TEST_PG_URL (default 127.0.0.1:5432/test); tests skip without it, and fail under CI.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import amqp from 'amqplib'
import pino from 'pino'
import { loadConfig } from '../../src/config.ts'
import {
  type AnvilProcess,
  findFreePort,
  PINNED_HARDFORK,
  resolveAnvilBinary,
  startAnvil,
} from '../../src/ledger/anvilProcess.ts'
import { LEDGER_MNEMONIC } from '../../src/ledger/keys.ts'
import { setMeta } from '../../src/ledger/meta.ts'
import { createLogger } from '../../src/logger.ts'
import type { ContractAddresses } from '../../src/services/contracts.ts'
import { type Instance, openInstance } from '../../src/services/instance.ts'
import { openStore } from '../../src/store/database.ts'
import { createTestSchema, PG_URL, pgAvailable } from '../store/adapters.ts'

/** An anvil started like a separate node: genesis now, so block time is wall-clock time. */
export async function startExternalAnvil(chainId: number): Promise<AnvilProcess> {
  return startAnvil({
    bin: resolveAnvilBinary(),
    params: {
      chainId,
      genesisTimestamp: Math.floor(Date.now() / 1000) - 60,
      hardfork: PINNED_HARDFORK,
      mnemonic: LEDGER_MNEMONIC,
    },
    port: await findFreePort(),
    logger: pino({ level: 'silent' }),
  })
}

/** Skips (locally) or fails (CI) when PostgreSQL does not answer; returns whether to run. */
export async function serverModeAvailable(): Promise<boolean> {
  if (await pgAvailable()) return true
  if (process.env.CI) throw new Error(`PostgreSQL at ${PG_URL} does not answer, and CI requires it`)
  console.warn(`SKIPPING server-mode tests: PostgreSQL does not answer at ${PG_URL} (TILLID_TEST_PG_URL)`)
  return false
}

export const AMQP_URL = process.env.TILLID_TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672'

/** Skips (locally) or fails (CI) when RabbitMQ does not answer at AMQP_URL. */
export async function brokerAvailable(): Promise<boolean> {
  try {
    const c = await amqp.connect(AMQP_URL, { timeout: 2000 })
    await c.close()
    return true
  } catch {
    if (process.env.CI) throw new Error(`RabbitMQ at ${AMQP_URL} does not answer, and CI requires it`)
    console.warn(`SKIPPING server-mode tests that need RabbitMQ: nothing answers at ${AMQP_URL}`)
    return false
  }
}

export type ServerInstance = Instance & { dir: string }

/** A Tillid in TILLID_MODE=server on the given RPC URL, with a fresh PostgreSQL schema and KEK. */
export async function openServerInstance(
  rpcUrl: string,
  chainId: number,
  env: Record<string, string> = {},
  /** Contracts already on the chain (another installation's), recorded before the first start. */
  contracts?: ContractAddresses,
): Promise<ServerInstance> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tillid-server-'))
  const schema = await createTestSchema()
  if (contracts) {
    const store = await openStore({ kind: 'postgres', url: schema.url })
    await setMeta(store.db, 'contracts.v1', JSON.stringify(contracts))
    await store.close()
  }
  const config = loadConfig({
    TILLID_MODE: 'server',
    TILLID_DATA_DIR: dir,
    TILLID_DATABASE_URL: schema.url,
    TILLID_RPC_URL: rpcUrl,
    TILLID_CHAIN_ID: String(chainId),
    TILLID_DEMO: 'false',
    TILLID_LOG_LEVEL: 'warn',
    ...env,
  })
  let instance: Instance
  try {
    instance = await openInstance(config, createLogger('warn'))
  } catch (err) {
    await schema.drop()
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
  const close = instance.close
  return {
    ...instance,
    dir,
    async close() {
      await close()
      await schema.drop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** JSON-RPC namespaces Besu does not serve (anvil/hardhat test methods, geth debug tracing). */
export const NON_BESU_METHOD = /^(anvil|evm|hardhat|debug|ganache|tenderly)_/

/**
 * Methods of Besu's ETH, NET and WEB3 APIs that Tillid may use (Besu JSON-RPC reference). A method
 * outside this list — e.g. eth_sendRawTransactionSync, which anvil has and Besu does not — fails.
 */
export const BESU_METHODS = new Set([
  'eth_blockNumber',
  'eth_call',
  'eth_chainId',
  'eth_estimateGas',
  'eth_feeHistory',
  'eth_gasPrice',
  'eth_getBalance',
  'eth_getBlockByHash',
  'eth_getBlockByNumber',
  'eth_getBlockReceipts',
  'eth_getCode',
  'eth_getFilterChanges',
  'eth_getFilterLogs',
  'eth_getLogs',
  'eth_getStorageAt',
  'eth_getTransactionByHash',
  'eth_getTransactionCount',
  'eth_getTransactionReceipt',
  'eth_maxPriorityFeePerGas',
  'eth_newBlockFilter',
  'eth_newFilter',
  'eth_sendRawTransaction',
  'eth_syncing',
  'eth_uninstallFilter',
  'net_version',
  'net_listening',
  'net_peerCount',
  'web3_clientVersion',
])
