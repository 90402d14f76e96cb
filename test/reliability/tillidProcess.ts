/**
 * A real `tillid start` in a child process, as an operator runs it: its own data directory and free
 * ports, demo logins on, its log output captured for the personal-data scan, and a kill -9 of the whole
 * process tree (node, and anvil in its own process group) at any moment.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { appendFileSync, readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import path from 'node:path'
import { createInterface } from 'node:readline'

const root = path.resolve(import.meta.dirname, '../..')

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const address = s.address()
      const port = typeof address === 'object' && address ? address.port : 0
      s.close(() => resolve(port))
    })
  })
}

export interface TillidProcess {
  child: ChildProcess
  url: string
  rpcUrl: string
  exited: Promise<number | null>
  /** kill -9 of node, anvil and anything else the process started; resolves once every one is gone. */
  kill9(): Promise<void>
  /** SIGTERM and wait for a clean exit. */
  stop(): Promise<number | null>
}

/** /proc/<pid>/stat fields after the command name: state ppid pgrp … */
function stat(pid: number): { ppid: number; pgrp: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ')
    return { ppid: Number(f[1]), pgrp: Number(f[2]) }
  } catch {
    return null
  }
}

/** The pid and every descendant of it, read from /proc at this moment. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const s = stat(Number(name))
    if (!s) continue
    const list = children.get(s.ppid) ?? []
    list.push(Number(name))
    children.set(s.ppid, list)
  }
  const out: number[] = []
  const queue = [pid]
  while (queue.length) {
    const p = queue.shift()!
    out.push(p)
    queue.push(...(children.get(p) ?? []))
  }
  return out
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    // A zombie is dead for our purpose (its parent just has not reaped it yet).
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

export interface StartOptions {
  dataDir: string
  /** Every line the process writes (stdout and stderr) is appended here, across restarts. */
  logFile: string
  env?: Record<string, string>
  port?: number
  anvilPort?: number
}

export async function startTillid(o: StartOptions): Promise<TillidProcess> {
  const port = o.port ?? (await freePort())
  const anvilPort = o.anvilPort ?? (await freePort())
  // Only this run's settings: a TILLID_* of the shell running the tests must not leak in.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TILLID_')))
  const child = spawn(process.execPath, ['bin/tillid.mjs', 'start'], {
    cwd: root,
    // detached: the child leads its own process group, so one kill reaches node and its helpers.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...env,
      TILLID_DATA_DIR: o.dataDir,
      TILLID_HOST: '127.0.0.1',
      TILLID_PORT: String(port),
      TILLID_ANVIL_PORT: String(anvilPort),
      TILLID_DEMO: 'true',
      TILLID_LOG_LEVEL: 'info',
      ...o.env,
    },
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  let tail = ''
  const ready = new Promise<string>((resolve, reject) => {
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        appendFileSync(o.logFile, `${line}\n`)
        tail = `${tail}${line}\n`.slice(-6000)
        const m = /Tillid kører på (\S+)/.exec(line)
        if (m) resolve(m[1]!)
      })
    }
    void exited.then((code) =>
      reject(new Error(`tillid start exited (${code}) before it was ready:\n${tail}`)),
    )
  })
  const timeout = setTimeout(() => child.kill('SIGKILL'), 240_000)
  const url = await ready.finally(() => clearTimeout(timeout))
  async function kill9() {
    const pid = child.pid!
    const tree = processTree(pid)
    const groups = new Set(tree.map((p) => stat(p)?.pgrp).filter((g): g is number => !!g && g > 1))
    groups.add(pid)
    for (const g of groups) {
      try {
        process.kill(-g, 'SIGKILL')
      } catch {}
    }
    for (const p of tree) {
      try {
        process.kill(p, 'SIGKILL')
      } catch {}
    }
    await exited
    const deadline = Date.now() + 15_000
    while (tree.some(alive)) {
      if (Date.now() > deadline)
        throw new Error(`still alive after kill -9: ${tree.filter(alive).join(', ')}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  return {
    child,
    url,
    rpcUrl: `http://127.0.0.1:${anvilPort}`,
    exited,
    kill9,
    async stop() {
      child.kill('SIGTERM')
      const t = setTimeout(() => void kill9(), 60_000)
      const code = await exited
      clearTimeout(t)
      return code
    },
  }
}
