/**
 * Bytes and transactions per agreement on the ledger, for docs/capacity.md: five agreements made
 * active through test/support/serverFlow.ts on a fresh embedded instance, then every block read
 * back. Run: npx tsx scripts/measure-agreement-tx.ts
 */
import { type Hex, hexToBytes, keccak256, stringToHex } from 'viem'
import { openTestInstance, testActor } from '../test/support/instance.ts'
import { liveAgreement, municipalityActors, org } from '../test/support/serverFlow.ts'

const ctx = await openTestInstance({ TILLID_DEMO: 'false' })
const htk = org('municipality', '169', 'HTK')
const provider = org('provider', '31457823', 'Ø')
const m = municipalityActors(htk)
const ole = testActor({ role: 'provider_signatory', organisation: provider })
const c = ctx.ledger.publicClient
const first = await c.getBlockNumber()
const N = 5
for (let i = 0; i < N; i++)
  await liveAgreement(ctx, keccak256(stringToHex(`m${i}`)) as Hex, htk, m, provider, ole)
const last = await c.getBlockNumber()
let txBytes = 0,
  logBytes = 0,
  txs = 0,
  logs = 0,
  gas = 0n
for (let b = first + 1n; b <= last; b++) {
  const block = await c.getBlock({ blockNumber: b, includeTransactions: true })
  for (const tx of block.transactions) {
    txs++
    txBytes += hexToBytes(tx.input).length + 110 // signature, nonce, gas fields, to, rlp overhead
    const r = await c.getTransactionReceipt({ hash: tx.hash })
    gas += r.gasUsed
    for (const l of r.logs) {
      logs++
      logBytes += hexToBytes(l.data).length + 32 * l.topics.length + 20
    }
  }
}
console.log(
  JSON.stringify({
    agreements: N,
    blocks: Number(last - first),
    txs,
    txBytes,
    logs,
    logBytes,
    gas: gas.toString(),
  }),
)
await ctx.close()
