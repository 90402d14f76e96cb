/**
 * Scans every transaction input and every log on the ledger for personal data (CPR numbers, the
 * names of the citizens in the store), so an auditor can show that none ever reached the chain.
 */
import type { Hex } from 'viem'
import { type Finding, scanForPersonalData } from '../domain/personalData.ts'
import type { ServiceContext } from './context.ts'

export interface ChainScanFinding extends Finding {
  block: number
  tx: Hex
  where: 'input' | `log ${number}`
}

export interface ChainScanResult {
  blocks: number
  transactions: number
  logs: number
  findings: ChainScanFinding[]
}

async function citizenNames(ctx: ServiceContext): Promise<string[]> {
  const cases = await ctx.db.selectFrom('cases').select('id').where('erased_at', 'is', null).execute()
  const names: string[] = []
  for (const c of cases) names.push(...(await ctx.repos.cases.citizenNames(c.id)))
  return names
}

export async function scanChain(
  ctx: ServiceContext,
  onProgress?: (done: number, total: number) => void,
): Promise<ChainScanResult> {
  const names = await citizenNames(ctx)
  const client = ctx.ledger.publicClient
  const head = Number(await client.getBlockNumber())
  const result: ChainScanResult = { blocks: head + 1, transactions: 0, logs: 0, findings: [] }
  for (let n = 0; n <= head; n++) {
    const block = await client.getBlock({ blockNumber: BigInt(n), includeTransactions: true })
    for (const tx of block.transactions) {
      result.transactions++
      // A contract creation's input is the contracts' own bytecode (with library messages in it),
      // published with the source: code, not data about anyone.
      const input = tx.to === null ? '0x' : tx.input
      for (const f of scanForPersonalData(input, { names })) {
        result.findings.push({ ...f, block: n, tx: tx.hash, where: 'input' })
      }
      const receipt = await client.getTransactionReceipt({ hash: tx.hash })
      for (const log of receipt.logs) {
        result.logs++
        for (const f of scanForPersonalData({ topics: log.topics, data: log.data }, { names })) {
          result.findings.push({ ...f, block: n, tx: tx.hash, where: `log ${log.logIndex}` })
        }
      }
    }
    if (n % 50 === 0 || n === head) onProgress?.(n + 1, head + 1)
  }
  return result
}
