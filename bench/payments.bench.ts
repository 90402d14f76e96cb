/**
 * Payment evaluation at national scale (issue 4): 15,000 active agreements with 60,000 lines
 * (quick: 1,500 / 6,000) across several municipalities and providers, one month evaluated for all
 * of them in Multicall batches. Reports agreements evaluated per second divided by raw signed
 * transactions per second measured on the same ledger in the same run, just before (target ≥ 20:
 * batching must win), and the set-up time.
 * Run alone: npx tsx bench/payments.bench.ts [--quick] [--agreements=N]
 */
import { readFileSync } from 'node:fs'
import os from 'node:os'
import { pathToFileURL } from 'node:url'
import { type Abi, encodeFunctionData, type Hex, keccak256, type LocalAccount, stringToHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { dateToUnixSeconds } from '../src/domain/calendar.ts'
import { abis } from '../src/services/contracts.ts'
import type { Instance } from '../src/services/instance.ts'
import { openTestInstance } from '../test/support/instance.ts'
import type { BenchOptions, BenchResult } from './harness.ts'
import { measureRawTxRate } from './rawTx.ts'

const TARGET = 20
const MUNICIPALITIES = [101, 147, 151, 153, 155, 157, 159, 161, 163, 165, 167, 169]
const PROVIDERS = 30
const LINES_PER_AGREEMENT = 4
const PERIOD = 202601
/** Leaves room under anvil's 30M block gas limit for the Multicall frame. */
const BATCH_GAS = 24_000_000n
const TX_GAS = 29_000_000n

const day = (date: string) => dateToUnixSeconds(date)
const key = (label: string) => privateKeyToAccount(keccak256(stringToHex(`tillid/bench/payments/${label}`)))
const muniCaseworker = (code: number) => key(`caseworker/${code}`)
const providerSignatory = (i: number) => key(`signatory/${i}`)
const providerCvr = (i: number) => 30_000_000 + i * 7

/** Price in øre of line `l` of agreement `i`: varied, monthly, every one below any approval threshold. */
const priceOf = (i: number, l: number) => BigInt(100_000 + ((i * 7919 + l * 104_729) % 2_000_000))

function lines(i: number) {
  return Array.from({ length: LINES_PER_AGREEMENT }, (_, l) => ({
    price: priceOf(i, l),
    unit: 0,
    schedule: { kind: 0, hoursPerSession: 0, everyWeeks: 0, weekday: 0, anchor: 0n },
    start: day('2026-01-01'),
    // One line in four ends mid-month, so the evaluation pro-rates as well as pays whole months.
    end: l === 3 ? day('2026-01-19') : 0n,
    arrangedBy: 1,
    reviewDate: 0n,
  }))
}

/** Expected January entitlement of agreement `i`, computed independently of the contract. */
function expectedOre(i: number): bigint {
  let total = 0n
  for (let l = 0; l < LINES_PER_AGREEMENT; l++) {
    const days = l === 3 ? 19n : 31n
    total += (priceOf(i, l) * days * 2n + 31n) / 62n
  }
  return total
}

interface Plan {
  id: Hex
  index: number
  municipality: number
  provider: number
}

/**
 * anvil keeps a copy of the whole state for each of its recent blocks (up to 500 by default)
 * unless started with --prune-history, so at national scale its memory grows by gigabytes during
 * set-up. Stop with a clear failure before the machine runs out rather than after.
 */
function memoryGuard(ctx: Instance) {
  const limit = Math.min(6 * 2 ** 30, os.totalmem() / 4)
  let peak = 0
  let pid: number | undefined
  return {
    get peak() {
      return peak
    },
    async check(done: string) {
      pid ??= (await ctx.ledger.health()).anvilPid
      if (!pid) return
      let rss = 0
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
        rss = m ? Number(m[1]) * 1024 : 0
      } catch {
        return // not Linux, or anvil restarting: nothing to measure
      }
      peak = Math.max(peak, rss)
      if (rss > limit) {
        throw new Error(
          `anvil uses ${(rss / 2 ** 30).toFixed(1)} GiB after ${done}: it keeps a state copy per recent ` +
            'block; start it with --prune-history (src/ledger/anvilProcess.ts) for national scale',
        )
      }
    },
  }
}

type Guard = ReturnType<typeof memoryGuard>

async function sendBatches(
  ctx: Instance,
  account: LocalAccount,
  contract: 'directory' | 'registry' | 'payments',
  calls: Hex[],
  perTx: number,
  guard?: Guard,
): Promise<number> {
  let txs = 0
  for (let i = 0; i < calls.length; i += perTx) {
    const data = encodeFunctionData({
      abi: abis[contract] as Abi,
      functionName: 'multicall',
      args: [calls.slice(i, i + perTx)],
    })
    // Explicit gas: set-up skips the pre-flight simulation; a revert still throws on the receipt.
    await ctx.ledger.send({ account, to: ctx.contracts[contract], data, gas: TX_GAS })
    txs++
    await guard?.check(`${txs} set-up transactions`)
  }
  return txs
}

/** How many calls like `call` fit in one batch, from the gas one of them uses. */
async function perBatch(ctx: Instance, from: LocalAccount, contract: 'registry' | 'payments', call: Hex) {
  const gas = await ctx.ledger.publicClient.estimateGas({
    account: from.address,
    to: ctx.contracts[contract],
    data: call,
  })
  return Math.max(1, Math.floor(Number(BATCH_GAS) / Number(gas)))
}

export async function run(options: BenchOptions & { agreements?: number }): Promise<BenchResult[]> {
  const { quick } = options
  const n = options.agreements ?? (quick ? 1500 : 15_000)
  const ctx = await openTestInstance({ TILLID_SNAPSHOT_EVERY: '1000000000' })
  const guard = memoryGuard(ctx)
  try {
    const t0 = performance.now()
    const plans: Plan[] = Array.from({ length: n }, (_, i) => ({
      id: keccak256(stringToHex(`bench:agreement:${i}`)),
      index: i,
      municipality: MUNICIPALITIES[i % MUNICIPALITIES.length]!,
      provider: i % PROVIDERS,
    }))

    // Directory: every organisation, its signing member and a policy whose threshold no agreement
    // reaches (approval is exercised by the contract tests, not here), in one Multicall.
    const dir = abis.directory as Abi
    const enc = (functionName: string, args: readonly unknown[]) =>
      encodeFunctionData({ abi: dir, functionName, args } as never)
    const directoryCalls: Hex[] = []
    for (const code of MUNICIPALITIES) {
      directoryCalls.push(enc('registerMunicipality', [code, key(`admin/m${code}`).address]))
      directoryCalls.push(enc('setMember', [(1n << 32n) | BigInt(code), muniCaseworker(code).address, 1]))
      directoryCalls.push(enc('setPolicy', [code, 2n ** 127n, 1, 2, 2]))
    }
    for (let p = 0; p < PROVIDERS; p++) {
      directoryCalls.push(enc('registerProvider', [providerCvr(p), key(`admin/p${p}`).address]))
      directoryCalls.push(
        enc('setMember', [(2n << 32n) | BigInt(providerCvr(p)), providerSignatory(p).address, 16]),
      )
    }
    await sendBatches(ctx, ctx.operator, 'directory', directoryCalls, directoryCalls.length)

    const reg = abis.registry as Abi
    const draftCall = (p: Plan) =>
      encodeFunctionData({
        abi: reg,
        functionName: 'draftAgreement',
        args: [
          p.id,
          {
            municipality: p.municipality,
            provider: providerCvr(p.provider),
            caseRef: keccak256(stringToHex(`bench:case:${p.index}`)),
            kle: 272_400,
            templateId: keccak256(stringToHex('template:placement:v1')),
            mainAgreement: `0x${'00'.repeat(32)}`,
            start: day('2026-01-01'),
            terms: {
              municipalityNoticeDays: 30,
              providerNoticeDays: 90,
              paymentTiming: 0,
              paymentDeadlineDays: 10,
              reportEveryMonths: 3,
              reportGraceDays: 14,
            },
          },
          lines(p.index),
        ],
      })
    const signCall = (p: Plan) =>
      encodeFunctionData({ abi: reg, functionName: 'signVersion', args: [p.id, 1] })
    const first = plans[0]!
    const draftsPerTx = await perBatch(ctx, muniCaseworker(first.municipality), 'registry', draftCall(first))
    let setupTxs = 1
    for (const code of MUNICIPALITIES) {
      const mine = plans.filter((p) => p.municipality === code)
      const cw = muniCaseworker(code)
      setupTxs += await sendBatches(ctx, cw, 'registry', mine.map(draftCall), draftsPerTx, guard)
      setupTxs += await sendBatches(ctx, cw, 'registry', mine.map(signCall), draftsPerTx * 4, guard)
    }
    // The provider's signature completes each agreement and activates it (heavier: the version
    // becomes effective), so size its batches from the gas of one.
    const probe = plans.find((p) => p.provider === 0)!
    const activationsPerTx = await perBatch(ctx, providerSignatory(0), 'registry', signCall(probe))
    for (let p = 0; p < PROVIDERS; p++) {
      const mine = plans.filter((x) => x.provider === p)
      setupTxs += await sendBatches(
        ctx,
        providerSignatory(p),
        'registry',
        mine.map(signCall),
        activationsPerTx,
      )
    }
    const setupMs = performance.now() - t0

    // January can be evaluated (in arrears) from 1 February.
    await ctx.ledger.advanceTo(Number(day('2026-02-01')) + 8 * 3600)
    // The baseline is measured half before and half after the batches, on the same chain, so a
    // change in the machine's load during the run weighs on both sides alike.
    const rawCount = quick ? 100 : 250
    const rawBefore = await measureRawTxRate(ctx.ledger, { count: rawCount })

    const evalCall = (p: Plan) =>
      encodeFunctionData({ abi: abis.payments, functionName: 'evaluateMonth', args: [p.id, PERIOD] })
    const evalsPerTx = await perBatch(ctx, ctx.operator, 'payments', evalCall(first))
    // Timed the way the payment run sends them: simulated first, then signed, journaled, mined.
    const t1 = performance.now()
    let evalTxs = 0
    for (let i = 0; i < plans.length; i += evalsPerTx) {
      const data = encodeFunctionData({
        abi: abis.payments,
        functionName: 'multicall',
        args: [plans.slice(i, i + evalsPerTx).map(evalCall)],
      })
      await ctx.ledger.send({ account: ctx.operator, to: ctx.contracts.payments, data })
      evalTxs++
      await guard.check(`${evalTxs} evaluation transactions`)
    }
    const evalMs = performance.now() - t1
    const perSecond = (n * 1000) / evalMs
    const rawAfter = await measureRawTxRate(ctx.ledger, { count: rawCount, warmup: 0 })
    const raw = { perSecond: (2 * rawCount * 1000) / (rawBefore.ms + rawAfter.ms) }

    // The contract's own total must equal the entitlement computed here, or the figure is void.
    const total = (await ctx.ledger.publicClient.readContract({
      address: ctx.contracts.payments,
      abi: abis.payments,
      functionName: 'totalEvaluated',
    })) as bigint
    const expected = plans.reduce((sum, p) => sum + expectedOre(p.index), 0n)
    if (total !== expected) throw new Error(`evaluated ${total} øre, expected ${expected}`)

    const ratio = perSecond / raw.perSecond
    const figures = {
      agreements: n,
      lines: n * LINES_PER_AGREEMENT,
      municipalities: MUNICIPALITIES.length,
      providers: PROVIDERS,
      setupSeconds: setupMs / 1000,
      setupTxs,
      draftsPerTx,
      activationsPerTx,
      evalsPerTx,
      evalTxs,
      evalSeconds: evalMs / 1000,
      agreementsPerSecond: perSecond,
      rawTxPerSecond: raw.perSecond,
      rawBefore: rawBefore.perSecond,
      rawAfter: rawAfter.perSecond,
      ratio,
      anvilPeakRssGiB: guard.peak / 2 ** 30,
    }
    if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(figures)
    return [
      {
        name: `payment evaluation, ${n.toLocaleString('en-US')} agreements (agreements/s vs raw tx/s)`,
        value: perSecond,
        unit: 'agreements/s',
        baseline: raw.perSecond,
        ratio,
        target: TARGET,
        direction: 'min',
        pass: ratio >= TARGET,
        note:
          `${n * LINES_PER_AGREEMENT} lines, ${MUNICIPALITIES.length} municipalities, ${PROVIDERS} providers; ` +
          `${evalTxs} Multicall tx of ${evalsPerTx} in ${(evalMs / 1000).toFixed(1)} s; ` +
          `set-up ${(setupMs / 1000).toFixed(1)} s in ${setupTxs} tx; total ${total} øre checked; anvil peak RSS ${(guard.peak / 2 ** 30).toFixed(1)} GiB`,
      },
    ]
  } finally {
    await ctx.close()
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const agreements = process.argv.find((a) => a.startsWith('--agreements='))?.split('=')[1]
  const results = await run({
    quick: process.argv.includes('--quick'),
    ...(agreements ? { agreements: Number(agreements) } : {}),
  })
  console.log(JSON.stringify(results, null, 2))
  process.exit(0)
}
