/**
 * Memory of an idle embedded Tillid: `tillid start` (what `npm start` runs) in a fresh data
 * directory, once /readyz answers and it has sat idle a while, RSS summed over its whole process
 * tree (node + anvil). Baseline: RSS of a bare `node -e` process. A reported figure: no target,
 * always marked pass (issue 11 asks for the number, not a limit).
 * Run alone: npx tsx bench/memory.bench.ts [--quick]
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { findFreePort } from '../src/ledger/anvilProcess.ts'
import type { BenchOptions, BenchResult } from './harness.ts'

const root = path.resolve(import.meta.dirname, '..')
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : 0
  } catch {
    return 0 // exited between listing and reading
  }
}

/** pid and every descendant, from the parent ids in /proc. */
function processTree(pid: number): number[] {
  const children = new Map<number, number[]>()
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      children.set(ppid, [...(children.get(ppid) ?? []), Number(e)])
    } catch {}
  }
  const out = [pid]
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!) ?? []))
  return out
}

const treeRssMiB = (pid: number) => processTree(pid).reduce((s, p) => s + rssKiB(p), 0) / 1024

async function stop(child: ChildProcess) {
  if (child.exitCode !== null || child.pid === undefined) return
  const exited = new Promise((r) => child.once('exit', r))
  // The child leads its own process group (detached), so this reaches its anvil too and nothing else.
  process.kill(-child.pid, 'SIGTERM')
  if ((await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)])) === false) {
    process.kill(-child.pid, 'SIGKILL')
    await exited
  }
}

async function bareNodeMiB(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
    stdio: 'ignore',
    detached: true,
  })
  try {
    await sleep(1000)
    return treeRssMiB(child.pid!)
  } finally {
    await stop(child)
  }
}

async function idleInstanceMiB(idleSeconds: number): Promise<{ mib: number; startMs: number; pids: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tillid-bench-memory-'))
  const port = await findFreePort()
  const t0 = performance.now()
  let output = ''
  const child = spawn(process.execPath, [path.join(root, 'bin', 'tillid.mjs'), 'start'], {
    cwd: root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TILLID_DATA_DIR: dir, TILLID_PORT: String(port), TILLID_LOG_LEVEL: 'warn' },
  })
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-2000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`tillid start exited (${child.exitCode}): ${output}`)
      if (performance.now() - t0 > 180_000) throw new Error(`tillid start not ready after 180 s: ${output}`)
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`)
        .then((r) => r.ok)
        .catch(() => false)
      if (ok) break
      await sleep(250)
    }
    const startMs = performance.now() - t0
    await sleep(idleSeconds * 1000)
    // Median of five samples a second apart: idle timers (keeper, relay) make it wobble a little.
    const samples: number[] = []
    for (let i = 0; i < 5; i++) {
      samples.push(treeRssMiB(child.pid!))
      await sleep(1000)
    }
    return { mib: samples.sort((a, b) => a - b)[2]!, startMs, pids: processTree(child.pid!).length }
  } finally {
    await stop(child)
    rmSync(dir, { recursive: true, force: true })
  }
}

export async function run({ quick }: BenchOptions): Promise<BenchResult[]> {
  const baseline = await bareNodeMiB()
  const idle = await idleInstanceMiB(quick ? 5 : 30)
  return [
    {
      name: 'memory: RSS of an idle embedded instance (tillid start) vs bare node',
      value: Math.round(idle.mib),
      unit: 'MB',
      baseline: Math.round(baseline),
      ratio: Math.round((idle.mib / baseline) * 10) / 10,
      target: Number.NaN,
      direction: 'max',
      pass: true,
      note: `reported figure, no target (always pass); RSS summed over ${idle.pids} processes (node + anvil), median of 5 samples after ${quick ? 5 : 30} s idle; ready in ${Math.round(idle.startMs / 100) / 10} s; MB = MiB`,
    },
  ]
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await run({ quick: process.argv.includes('--quick') })
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`)
}
