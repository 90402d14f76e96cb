/**
 * The embedded ledger's promise: a transaction acknowledged to its caller survives a kill -9 of
 * the whole process tree (node, PGlite and anvil) at any moment, and the chain after recovery is
 * the same chain — identical block hashes (and so state roots) and receipts.
 *
 * A writer child (test/fixtures/ledger/writer.ts) streams transactions and prints each ACK; the
 * test kills -9 its process group (and anvil's) at a random moment, restarts it on the same data directory, and
 * checks every ACK and every block seen so far against the recovered chain.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { createPublicClient, type Hex, http } from 'viem'
import { afterAll, describe, expect, it } from 'vitest'
import { receiptFacts } from './fixtures/ledger/receiptFacts.ts'

const root = path.resolve(import.meta.dirname, '..')
const writerPath = path.join(root, 'test/fixtures/ledger/writer.ts')
const KILL_CYCLES = 5

interface Writer {
  child: ChildProcess
  ready: Promise<{
    rpcUrl: string
    anvilPid: number
    recovery: { snapshot: string | null; replayed: number }
  }>
  acks: Record<string, unknown>[]
  exited: Promise<number | null>
  stderr: () => string
}

function startWriter(dataDir: string, mode: 'write' | 'verify'): Writer {
  // detached: the writer leads its own process group, which the test kills as a whole.
  const child = spawn(process.execPath, ['--import', 'tsx', writerPath, dataDir, mode, '10'], {
    cwd: root,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, WRITER_LOG: 'warn' },
  })
  const acks: Record<string, unknown>[] = []
  let err = ''
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    err = (err + c).slice(-8000)
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  const ready = new Promise<Writer['ready'] extends Promise<infer T> ? T : never>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) resolve(JSON.parse(line.slice(6)))
      else if (line.startsWith('ACK ')) acks.push(JSON.parse(line.slice(4)))
    })
    void exited.then((code) => reject(new Error(`writer exited (${code}) before READY: ${err}`)))
  })
  return { child, ready, acks, exited, stderr: () => err }
}

function processGroup(pid: number): number | null {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces, so split after ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])
  } catch {
    return null
  }
}

async function waitForAcks(writer: Writer, count: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  while (writer.acks.length < count) {
    if (Date.now() > deadline)
      throw new Error(`writer acknowledged only ${writer.acks.length} transactions: ${writer.stderr()}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

async function waitUntilGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (!alive(pid)) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return !alive(pid)
}

async function rpcBatch<T>(url: string, calls: { method: string; params: unknown[] }[]): Promise<T[]> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(calls.map((c, id) => ({ jsonrpc: '2.0', id, ...c }))),
  })
  const body = (await res.json()) as { id: number; result: T }[]
  return body.sort((a, b) => a.id - b.id).map((r) => r.result)
}

/** Checks every ACK and every block seen so far against the chain at rpcUrl; records new blocks. */
async function verifyChain(
  rpcUrl: string,
  acked: Map<string, Record<string, unknown>>,
  seen: Map<number, Hex>,
) {
  const client = createPublicClient({ transport: http(rpcUrl) })
  for (const [hash, facts] of acked) {
    const receipt = await client.getTransactionReceipt({ hash: hash as Hex })
    expect(JSON.parse(JSON.stringify(receiptFacts(receipt)))).toEqual(facts)
  }
  const head = Number(await client.getBlockNumber())
  expect(head).toBeGreaterThanOrEqual(Math.max(-1, ...seen.keys()))
  const blocks = await rpcBatch<{ hash: Hex }>(
    rpcUrl,
    Array.from({ length: head + 1 }, (_, n) => ({
      method: 'eth_getBlockByNumber',
      params: [`0x${n.toString(16)}`, false],
    })),
  )
  blocks.forEach((block, n) => {
    const before = seen.get(n)
    if (before) expect(block.hash, `block ${n}`).toBe(before)
    else seen.set(n, block.hash)
  })
  return head
}

describe('embedded ledger durability under kill -9', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tillid-ledger-durability-'))
  const running: Writer[] = []
  afterAll(() => {
    for (const w of running) {
      try {
        if (w.child.pid) process.kill(-w.child.pid, 'SIGKILL')
      } catch {}
    }
    rmSync(dataDir, { recursive: true, force: true })
  })

  it(`keeps every acknowledged transaction and every block across ${KILL_CYCLES} kills`, async () => {
    const acked = new Map<string, Record<string, unknown>>()
    const seen = new Map<number, Hex>()
    let totalAcks = 0
    for (let cycle = 0; cycle < KILL_CYCLES; cycle++) {
      const writer = startWriter(dataDir, 'write')
      running.push(writer)
      const ready = await writer.ready
      await verifyChain(ready.rpcUrl, acked, seen)
      writer.child.stdin?.write('go\n')
      // A random moment once the stream runs: mid-transaction, mid-journal write or mid-snapshot.
      await waitForAcks(writer, 3, 30_000)
      const delay = Math.floor(Math.random() * 700)
      await new Promise((r) => setTimeout(r, delay))
      const pid = writer.child.pid as number
      // anvil runs in its own process group (so a terminal's Ctrl-C reaches only Tillid). Every other
      // cycle kills both groups at once; the rest kill only Tillid's, and then anvil must not
      // outlive it (nor keep the port or the data directory).
      const onlyTillid = cycle % 2 === 1
      const anvilGroup = processGroup(ready.anvilPid)
      process.kill(-pid, 'SIGKILL')
      if (!onlyTillid && anvilGroup) process.kill(-anvilGroup, 'SIGKILL')
      await writer.exited
      expect(await waitUntilGone(ready.anvilPid, 10_000), `anvil ${ready.anvilPid} outlived its parent`).toBe(
        true,
      )
      for (const facts of writer.acks) acked.set(facts.transactionHash as string, facts)
      totalAcks += writer.acks.length
      console.info(
        `cycle ${cycle}: killed ${onlyTillid ? 'Tillid only' : 'Tillid and anvil'} ${delay} ms after the 3rd ack, ` +
          `${writer.acks.length} acks; recovered from ${ready.recovery.snapshot ?? 'journal only'} ` +
          `+ ${ready.recovery.replayed} entries`,
      )
    }
    expect(totalAcks).toBeGreaterThanOrEqual(3 * KILL_CYCLES)

    const verifier = startWriter(dataDir, 'verify')
    running.push(verifier)
    const ready = await verifier.ready
    const head = await verifyChain(ready.rpcUrl, acked, seen)
    expect(head).toBeGreaterThanOrEqual(totalAcks)
    verifier.child.kill('SIGTERM')
    expect(await verifier.exited).toBe(0)

    const snapshots = readdirSync(path.join(dataDir, 'ledger', 'snapshots'))
    expect(snapshots.filter((f) => f.endsWith('.tmp'))).toEqual([])
    expect(snapshots.length).toBeLessThanOrEqual(3)
  }, 180_000)
})
