/**
 * `tillid ledger deploy` and `tillid ledger upgrade`: Tillid's contracts on any EVM JSON-RPC
 * endpoint, signed by the operator key from a file. Addresses are printed and, when a store is
 * given, recorded in ledger_meta (contracts.v1, then v2, … per upgrade) for `tillid start`.
 */
import type { Address } from 'viem'
import { accountFromKeyFile, connectExternalLedger, type LedgerClient, setMeta } from '../ledger/index.ts'
import type { Db } from '../store/database.ts'
import { type ContractAddresses, deployContracts, listDeployments, upgradeContracts } from './contracts.ts'

export class LedgerDeployError extends Error {
  override name = 'LedgerDeployError'
}

export interface DeployResult {
  chainId: number
  rpcUrl: string
  operator: Address
  version: number
  contracts: ContractAddresses
  recorded: boolean
}

async function withLedger<T>(
  rpcUrls: readonly string[],
  chainId: number | undefined,
  fn: (ledger: LedgerClient) => Promise<T>,
): Promise<T> {
  const ledger = await connectExternalLedger(rpcUrls, { chainId })
  try {
    return await fn(ledger)
  } finally {
    await ledger.stop()
  }
}

export async function deployToLedger(options: {
  rpcUrls: readonly string[]
  keyFile: string
  chainId?: number | undefined
  db?: Db | undefined
}): Promise<DeployResult> {
  const operator = await accountFromKeyFile(options.keyFile)
  if (options.db && (await listDeployments(options.db)).length) {
    throw new LedgerDeployError(
      'databasen har allerede kontrakter registreret; brug "tillid ledger upgrade" for en ny version',
    )
  }
  return withLedger(options.rpcUrls, options.chainId, async (ledger) => {
    const contracts = await deployContracts(ledger, operator)
    if (options.db) await setMeta(options.db, 'contracts.v1', JSON.stringify(contracts))
    return {
      chainId: ledger.chain.id,
      rpcUrl: ledger.rpcUrl,
      operator: operator.address,
      version: 1,
      contracts,
      recorded: !!options.db,
    }
  })
}

export async function upgradeLedger(options: {
  rpcUrls: readonly string[]
  keyFile: string
  chainId?: number | undefined
  db: Db
}): Promise<DeployResult & { previous: { version: number; contracts: ContractAddresses } }> {
  const operator = await accountFromKeyFile(options.keyFile)
  return withLedger(options.rpcUrls, options.chainId, async (ledger) => {
    const { from, to } = await upgradeContracts(ledger, options.db, operator)
    return {
      chainId: ledger.chain.id,
      rpcUrl: ledger.rpcUrl,
      operator: operator.address,
      version: to.version,
      contracts: to.addresses,
      recorded: true,
      previous: { version: from.version, contracts: from.addresses },
    }
  })
}
