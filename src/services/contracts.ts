/**
 * Tillid's deployed contracts: deployed and wired on the first start, remembered in ledger_meta,
 * and reused on every later start (after checking that code is still there).
 */
import { type Address, encodeFunctionData, type LocalAccount } from 'viem'
import { contracts as artifacts } from '../ledger/generated/contracts.ts'
import { getMeta, type LedgerClient, setMeta } from '../ledger/index.ts'
import type { Db } from '../store/database.ts'

export interface ContractAddresses {
  directory: Address
  registry: Address
  obligations: Address
  payments: Address
}

const META_KEY = 'contracts.v1'

export const abis = {
  directory: artifacts.Directory.abi,
  registry: artifacts.AgreementRegistry.abi,
  obligations: artifacts.Obligations.abi,
  payments: artifacts.PaymentLedger.abi,
} as const

/** Every custom error of every contract, so a revert from any of them decodes to its name. */
export const allErrorsAbi = [
  ...abis.directory,
  ...abis.registry,
  ...abis.obligations,
  ...abis.payments,
].filter((item) => item.type === 'error')

export async function ensureContracts(
  ledger: LedgerClient,
  db: Db,
  deployer: LocalAccount,
): Promise<{ addresses: ContractAddresses; deployed: boolean }> {
  const known = await getMeta(db, META_KEY)
  if (known) {
    const addresses = JSON.parse(known) as ContractAddresses
    const code = await ledger.publicClient.getCode({ address: addresses.payments })
    if (code && code !== '0x') return { addresses, deployed: false }
    throw new Error(
      `the contracts recorded in the store (${addresses.registry}) are not on the ledger at ${ledger.rpcUrl}: ` +
        'the store and the ledger belong to different installations',
    )
  }
  const directory = await ledger.deploy({
    account: deployer,
    abi: artifacts.Directory.abi,
    bytecode: artifacts.Directory.bytecode,
    args: [deployer.address],
  })
  const registry = await ledger.deploy({
    account: deployer,
    abi: artifacts.AgreementRegistry.abi,
    bytecode: artifacts.AgreementRegistry.bytecode,
    args: [directory],
  })
  const obligations = await ledger.deploy({
    account: deployer,
    abi: artifacts.Obligations.abi,
    bytecode: artifacts.Obligations.bytecode,
    args: [registry],
  })
  const payments = await ledger.deploy({
    account: deployer,
    abi: artifacts.PaymentLedger.abi,
    bytecode: artifacts.PaymentLedger.bytecode,
    args: [obligations],
  })
  await ledger.send({
    account: deployer,
    to: registry,
    abi: allErrorsAbi,
    data: encodeFunctionData({ abi: abis.registry, functionName: 'setObligations', args: [obligations] }),
  })
  await ledger.send({
    account: deployer,
    to: obligations,
    abi: allErrorsAbi,
    data: encodeFunctionData({ abi: abis.obligations, functionName: 'setPaymentLedger', args: [payments] }),
  })
  const addresses = { directory, registry, obligations, payments }
  await setMeta(db, META_KEY, JSON.stringify(addresses))
  return { addresses, deployed: true }
}
