/**
 * The integrity check behind `tillid verify`: rebuilds every anchor the chain holds from what the
 * store holds now (decrypting documents, re-serialising records) and compares, and re-walks the
 * access log's hash chain. Objects of erased cases are counted as erased, not as mismatches.
 */
import type { Kysely } from 'kysely'
import { keccak256 } from 'viem'
import { accessLogHash, GENESIS_HASH } from '../store/repositories/accessLog.ts'
import { anchorKey, anchorRebuilder } from '../store/repositories/anchors.ts'
import type { CaseKeys } from '../store/repositories/caseKeys.ts'
import { createRepositories } from '../store/repositories/index.ts'
import type { Database } from '../store/schema.ts'
import { keccakWorker } from './integrity/keccakPool.ts'

/** What the chain says was anchored. The ledger implements it by reading the registry. */
export interface AnchorSource {
  listAnchors(): AsyncIterable<{ kind: string; id: string; hash: string }>
  /** How many anchors listAnchors will yield, for the progress bar (the store's count if absent). */
  count?(): Promise<number>
}

export interface IntegrityMismatch {
  /** Anchor kind ('document', 'case', a record kind) or 'access_log'. */
  kind: string
  /** Object id, or the access-log sequence number. */
  id: string
  reason: string
}

export interface IntegrityReport {
  /** Anchors compared plus access-log entries re-hashed. */
  checked: number
  mismatches: IntegrityMismatch[]
  /** Anchors whose object belongs to an erased case. */
  erased: number
  details: {
    anchors: number
    accessLogEntries: number
    erasedCases: string[]
    /** Anchors in the store not (yet) on the chain and never recorded as written: in flight, or left by a crash. */
    pendingAnchors: { kind: string; id: string }[]
  }
}

export interface VerifyOptions {
  source: AnchorSource
  onProgress?: (done: number, total: number) => void
  batchSize?: number
  /** Hash on a worker thread (default: when the chain lists WORKER_THRESHOLD anchors or more). */
  hashOnWorker?: boolean
}

/** Below this many anchors starting a worker costs more than it saves. */
const WORKER_THRESHOLD = 2000

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

export async function verifyIntegrity(
  db: Kysely<Database>,
  keys: CaseKeys,
  opts: VerifyOptions,
): Promise<IntegrityReport> {
  const repos = createRepositories(db, keys)
  const batchSize = opts.batchSize ?? 2000
  const anchorTotal = opts.source.count ? await opts.source.count() : await repos.anchors.count()
  const logTotal = await repos.accessLog.count()
  const total = anchorTotal + logTotal
  const mismatches: IntegrityMismatch[] = []
  const erasedCases = new Set<string>()
  const pendingAnchors: { kind: string; id: string }[] = []
  let anchors = 0
  let erased = 0
  let done = 0
  opts.onProgress?.(0, total)

  // What the chain holds, by object. The comparison below is always against these hashes; the
  // store's own copy of each hash only tells which side changed.
  const onChain = new Map<string, { kind: string; id: string; hash: string }>()
  for await (const a of opts.source.listAnchors()) {
    const key = anchorKey(a.kind, a.id)
    if (onChain.has(key)) {
      mismatches.push({ kind: a.kind, id: a.id, reason: 'anchored more than once on the chain' })
      done++
      continue
    }
    onChain.set(key, { kind: a.kind, id: a.id, hash: a.hash.toLowerCase() })
  }

  // One pass over the store's anchors in key order, a page per query with the content each is
  // rebuilt from; cases are read and their keys unwrapped once per run (anchorRebuilder). Hashing a
  // page overlaps with reading and decrypting the next (on a worker thread for large stores); at
  // most one page waits for its hashes while the next is read.
  const rebuilder = anchorRebuilder(db, keys)
  const hasher = (opts.hashOnWorker ?? anchorTotal >= WORKER_THRESHOLD) ? keccakWorker() : null
  const hashAll = (inputs: Uint8Array[]): Promise<string[]> =>
    hasher ? hasher.hash(inputs) : Promise.resolve(inputs.map((i) => keccak256(i)))
  let previous: Promise<void> = Promise.resolve()
  try {
    let after: { kind: string; id: string } | undefined
    for (;;) {
      const page = await repos.anchors.scanWithContent({ ...(after ? { after } : {}), limit: batchSize })
      if (page.length === 0) break
      await rebuilder.load(page.filter((a) => onChain.has(anchorKey(a.kind, a.objectId))))
      const toHash: { kind: string; id: string; stored: string; chain: string }[] = []
      const inputs: Uint8Array[] = []
      for (const a of page) {
        const key = anchorKey(a.kind, a.objectId)
        const chain = onChain.get(key)
        if (!chain) {
          // In the store, not on the chain: a mismatch when recorded as written, else still pending.
          if (a.chainRef) {
            mismatches.push({
              kind: a.kind,
              id: a.objectId,
              reason: 'recorded as anchored but missing on the chain',
            })
          } else {
            pendingAnchors.push({ kind: a.kind, id: a.objectId })
          }
          continue
        }
        onChain.delete(key)
        anchors++
        done++
        if (done % 250 === 0) opts.onProgress?.(done, total)
        const m = rebuilder.material(a)
        if (m.status === 'erased') {
          erased++
          erasedCases.add(m.caseId)
        } else if (m.status !== 'material') {
          mismatches.push({ kind: a.kind, id: a.objectId, reason: m.reason })
        } else {
          toHash.push({ kind: a.kind, id: a.objectId, stored: a.hash.toLowerCase(), chain: chain.hash })
          inputs.push(m.preimage)
        }
      }
      const prior = previous
      previous = hashAll(inputs).then(async (hashes) => {
        await prior
        toHash.forEach((t, i) => {
          const hash = hashes[i]!
          if (hash === t.chain) return
          mismatches.push({
            kind: t.kind,
            id: t.id,
            reason:
              t.stored === hash
                ? 'stored anchor and content agree with each other but not with the chain'
                : 'off-chain content no longer matches the on-chain hash',
          })
        })
      })
      // Awaited below or on the next page; marked handled so a failure waits for that await.
      previous.catch(() => {})
      await prior
      const last = page[page.length - 1]!
      after = { kind: last.kind, id: last.objectId }
      opts.onProgress?.(done, total)
    }
    await previous
  } finally {
    await hasher?.close()
  }
  // On the chain, but the store has no anchor for the object.
  for (const a of onChain.values()) {
    anchors++
    done++
    mismatches.push({ kind: a.kind, id: a.id, reason: 'no anchor for this object in the store' })
  }
  opts.onProgress?.(done, total)

  // The access log: each entry must hash to its stored hash and point at its predecessor.
  let prevSeq = 0
  let prevHash: Uint8Array = GENESIS_HASH
  let entries = 0
  for (;;) {
    const page = await repos.accessLog.scan(prevSeq, batchSize)
    if (page.length === 0) break
    for (const e of page) {
      entries++
      const id = String(e.seq)
      if (e.seq !== prevSeq + 1) {
        mismatches.push({
          kind: 'access_log',
          id,
          reason: `entries ${prevSeq + 1}..${e.seq - 1} are missing`,
        })
      }
      if (!bytesEqual(e.prevHash, prevHash)) {
        mismatches.push({ kind: 'access_log', id, reason: 'does not link to the previous entry' })
      }
      const { prevHash: p, hash, ...body } = e
      if (!bytesEqual(accessLogHash(p, body), hash)) {
        mismatches.push({ kind: 'access_log', id, reason: 'entry was altered after it was written' })
      }
      prevSeq = e.seq
      prevHash = e.hash
    }
    done += page.length
    opts.onProgress?.(Math.min(done, total), total)
  }
  const head = await repos.accessLog.head()
  if (head.seq !== prevSeq || !bytesEqual(head.hash, prevHash)) {
    mismatches.push({
      kind: 'access_log',
      id: String(head.seq),
      reason: `log ends at entry ${prevSeq} but its head says ${head.seq}: entries were removed or the head altered`,
    })
  }
  opts.onProgress?.(total, total)
  return {
    checked: anchors + entries,
    mismatches,
    erased,
    details: { anchors, accessLogEntries: entries, erasedCases: [...erasedCases].sort(), pendingAnchors },
  }
}

/** An anchor source over a fixed list (tests, and anchors exported from a chain scan). */
export function listAnchorSource(
  anchors: readonly { kind: string; id: string; hash: string }[],
): AnchorSource {
  return {
    async *listAnchors() {
      yield* anchors
    },
    async count() {
      return anchors.length
    },
  }
}
