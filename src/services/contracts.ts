/**
 * Tillid's deployed contracts: deployed and wired on the first start (or by `tillid ledger deploy`),
 * remembered in ledger_meta as contracts.v1, v2, … (one per upgrade), and reused on every later
 * start (after checking that code is still there).
 */
import { type Address, encodeFunctionData, type LocalAccount } from 'viem'
import { contracts as artifacts } from '../ledger/generated/contracts.ts'
import { type LedgerClient, setMeta } from '../ledger/index.ts'
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

/** One deployed set of Tillid's contracts; later versions reuse the Directory (organisations, members). */
export interface Deployment {
  version: number
  addresses: ContractAddresses
}

const VERSION_KEY = /^contracts\.v(\d+)$/

/** Every recorded deployment, oldest first; the last is the one new agreements go to. */
export async function listDeployments(db: Db): Promise<Deployment[]> {
  const rows = await db
    .selectFrom('ledger_meta')
    .select(['key', 'value'])
    .where('key', 'like', 'contracts.v%')
    .execute()
  return rows
    .flatMap((r) => {
      const m = VERSION_KEY.exec(r.key)
      return m ? [{ version: Number(m[1]), addresses: JSON.parse(r.value) as ContractAddresses }] : []
    })
    .sort((a, b) => a.version - b.version)
}

async function deploy(
  ledger: LedgerClient,
  deployer: LocalAccount,
  existingDirectory?: Address,
): Promise<ContractAddresses> {
  const directory =
    existingDirectory ??
    (await ledger.deploy({
      account: deployer,
      abi: artifacts.Directory.abi,
      bytecode: artifacts.Directory.bytecode,
      args: [deployer.address],
    }))
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
  return { directory, registry, obligations, payments }
}

/** Deploys a fresh set (with its own Directory) to any EVM ledger; `tillid ledger deploy`. */
export function deployContracts(ledger: LedgerClient, deployer: LocalAccount): Promise<ContractAddresses> {
  return deploy(ledger, deployer)
}

export async function ensureContracts(
  ledger: LedgerClient,
  db: Db,
  deployer: LocalAccount,
): Promise<{ addresses: ContractAddresses; deployed: boolean; deployments: Deployment[] }> {
  const deployments = await listDeployments(db)
  const current = deployments.at(-1)
  if (current) {
    const { addresses } = current
    const code = await ledger.publicClient.getCode({ address: addresses.payments })
    if (code && code !== '0x') return { addresses, deployed: false, deployments }
    throw new Error(
      `the contracts recorded in the store (${addresses.registry}) are not on the ledger at ${ledger.rpcUrl}: ` +
        'the store and the ledger belong to different installations',
    )
  }
  const addresses = await deploy(ledger, deployer)
  await setMeta(db, META_KEY, JSON.stringify(addresses))
  return { addresses, deployed: true, deployments: [{ version: 1, addresses }] }
}

/**
 * Upgrade by versioned deployment: a new AgreementRegistry, Obligations and PaymentLedger on the
 * same Directory, recorded as contracts.v(N+1). Earlier versions stay on the chain and in
 * ledger_meta: their agreements stay readable there and the indexer keeps reading their events;
 * agreements drafted after the upgrade go to the new registry (docs/network.md, "Upgrading").
 */
export async function upgradeContracts(
  ledger: LedgerClient,
  db: Db,
  deployer: LocalAccount,
): Promise<{ from: Deployment; to: Deployment }> {
  const from = (await listDeployments(db)).at(-1)
  if (!from) throw new Error('no contracts are recorded in the store: nothing to upgrade (deploy first)')
  const addresses = await deploy(ledger, deployer, from.addresses.directory)
  const to = { version: from.version + 1, addresses }
  await setMeta(db, `contracts.v${to.version}`, JSON.stringify(addresses))
  return { from, to }
}

/** What the indexer reads: every deployment's contracts, the shared Directory once. */
export function indexedContracts(deployments: readonly Deployment[]) {
  const seen = new Set<string>()
  return deployments.flatMap(({ addresses: a }) =>
    (
      [
        { name: 'Directory', address: a.directory, abi: abis.directory },
        { name: 'AgreementRegistry', address: a.registry, abi: abis.registry },
        { name: 'Obligations', address: a.obligations, abi: abis.obligations },
        { name: 'PaymentLedger', address: a.payments, abi: abis.payments },
      ] as const
    ).filter((c) => {
      const key = c.address.toLowerCase()
      if (seen.has(key)) return false
      seen.add(key)
      return true
    }),
  )
}
