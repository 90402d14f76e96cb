/**
 * The integrity check's view of the chain: what the CHAIN holds, read from the node's logs rather than
 * from the indexed copy in `ledger_events` (that copy lives in the same store an attacker would alter).
 *
 * - `AgreementRegistry.AgreementDrafted(id, …, caseRef)`: the salted hash of the case the agreement
 *   belongs to → anchor kind 'case'.
 * - `Obligations.StatusReportSubmitted(id, reportNumber, reportHash)`: the salted hash of a status report
 *   → anchor kind 'document'.
 *
 * Each chain entry is tied to the store object it anchors through the agreement's chain id (the
 * agreements table) and, for reports, the transaction that submitted it (agreement_documents.tx_hash,
 * or the anchor's chain ref). An entry the store cannot link is still yielded, under an id that names
 * the chain entry, so the check reports it as missing instead of silently skipping it.
 */
import type { Address, Hex } from 'viem'
import type { ServiceContext } from '../context.ts'
import { abis } from '../contracts.ts'
import type { AnchorSource } from '../verifyIntegrity.ts'

export interface ChainAnchor {
  kind: 'case' | 'document'
  id: string
  hash: string
  /** The transaction that put the hash on chain. */
  txHash: string
  blockNumber: bigint
}

/** Blocks per eth_getLogs call: nodes limit the range one call may scan. */
const LOG_PAGE = 50_000n

async function logsOf<T>(
  ctx: ServiceContext,
  fetch: (fromBlock: bigint, toBlock: bigint) => Promise<T[]>,
): Promise<T[]> {
  const latest = await ctx.ledger.publicClient.getBlockNumber()
  const out: T[] = []
  for (let from = 0n; from <= latest; from += LOG_PAGE) {
    const to = from + LOG_PAGE - 1n < latest ? from + LOG_PAGE - 1n : latest
    out.push(...(await fetch(from, to)))
  }
  return out
}

/** Every anchor the chain holds for this installation's municipalities, linked to its store object. */
export async function readChainAnchors(ctx: ServiceContext): Promise<ChainAnchor[]> {
  const client = ctx.ledger.publicClient
  const registry = ctx.contracts.registry as Address
  const obligations = ctx.contracts.obligations as Address
  const drafted = await logsOf(ctx, (fromBlock, toBlock) =>
    client.getContractEvents({
      address: registry,
      abi: abis.registry,
      eventName: 'AgreementDrafted',
      fromBlock,
      toBlock,
      strict: true,
    }),
  )
  const reports = await logsOf(ctx, (fromBlock, toBlock) =>
    client.getContractEvents({
      address: obligations,
      abi: abis.obligations,
      eventName: 'StatusReportSubmitted',
      fromBlock,
      toBlock,
      strict: true,
    }),
  )

  // A shared network carries other installations' agreements: only our municipalities' are ours to check.
  const ours = new Set(
    (await ctx.db.selectFrom('organisations').select('municipality_code').execute())
      .map((o) => o.municipality_code)
      .filter((c): c is string => Boolean(c))
      .map(Number),
  )
  const agreementRows = await ctx.db.selectFrom('agreements').select(['id', 'chain_id', 'case_id']).execute()
  const byChainId = new Map(agreementRows.map((r) => [r.chain_id.toLowerCase(), r]))
  const ourChainIds = new Set<string>()

  const out: ChainAnchor[] = []
  const seenCase = new Set<string>()
  for (const log of drafted) {
    const chainId = (log.args.id as Hex).toLowerCase()
    if (!ours.has(Number(log.args.municipality))) continue
    ourChainIds.add(chainId)
    const caseRef = (log.args.caseRef as Hex).toLowerCase()
    const row = byChainId.get(chainId)
    const id = row ? row.case_id : `agreement:${chainId}`
    // Every agreement of a case repeats the case's reference: one check per (case, hash).
    const key = `${id}\u0000${caseRef}`
    if (seenCase.has(key)) continue
    seenCase.add(key)
    out.push({
      kind: 'case',
      id,
      hash: caseRef,
      txHash: log.transactionHash,
      blockNumber: log.blockNumber,
    })
  }

  const docRows = await ctx.db
    .selectFrom('agreement_documents')
    .innerJoin('agreements', 'agreements.id', 'agreement_documents.agreement_id')
    .select([
      'agreement_documents.document_id',
      'agreement_documents.tx_hash',
      'agreement_documents.anchor',
      'agreements.chain_id',
    ])
    .execute()
  // The link from a submission to its document: by transaction first, then by the agreement and the
  // hash the store recorded (a re-submitted document keeps only its latest transaction). The link only
  // says which object to rebuild; the comparison is always against the hash read from the chain.
  const docByTx = new Map<string, string>()
  const docByAnchor = new Map<string, string>()
  for (const r of docRows) {
    const chainId = r.chain_id.toLowerCase()
    if (r.tx_hash) docByTx.set(`${chainId}:${r.tx_hash.toLowerCase()}`, r.document_id)
    docByAnchor.set(`${chainId}:${r.anchor.toLowerCase()}`, r.document_id)
  }
  const anchorRows = await ctx.db
    .selectFrom('anchors')
    .select(['object_id', 'chain_ref'])
    .where('kind', '=', 'document')
    .where('chain_ref', 'is not', null)
    .execute()
  const anchorByTx = new Map<string, string[]>()
  for (const a of anchorRows) {
    const k = a.chain_ref!.toLowerCase()
    anchorByTx.set(k, [...(anchorByTx.get(k) ?? []), a.object_id])
  }
  const seenDocument = new Set<string>()
  for (const log of reports) {
    const chainId = (log.args.id as Hex).toLowerCase()
    if (!ourChainIds.has(chainId)) continue
    const tx = log.transactionHash.toLowerCase()
    const hash = (log.args.reportHash as Hex).toLowerCase()
    const byRef = anchorByTx.get(tx)
    const id =
      docByTx.get(`${chainId}:${tx}`) ??
      docByAnchor.get(`${chainId}:${hash}`) ??
      (byRef?.length === 1 ? byRef[0] : undefined) ??
      `report:${chainId}:${log.args.reportNumber}`
    // One document may be the report for several agreements (content-addressed: the same bytes are one
    // document), each submission putting the same hash on chain: one check per (document, hash).
    const key = `${id}\u0000${hash}`
    if (seenDocument.has(key)) continue
    seenDocument.add(key)
    out.push({
      kind: 'document',
      id,
      hash,
      txHash: log.transactionHash,
      blockNumber: log.blockNumber,
    })
  }
  return out
}

/** The AnchorSource `verifyIntegrity` compares the store with. */
export function chainAnchorSource(ctx: ServiceContext): AnchorSource {
  let anchors: Promise<ChainAnchor[]> | null = null
  const load = () => {
    anchors ??= readChainAnchors(ctx)
    return anchors
  }
  return {
    async *listAnchors() {
      for (const a of await load()) yield { kind: a.kind, id: a.id, hash: a.hash }
    },
    async count() {
      return (await load()).length
    },
  }
}
