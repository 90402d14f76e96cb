/**
 * Starts one anvil process with every input that feeds a block hash pinned, waits until it
 * answers, and reports when it exits. It never owns durability: that is the journal's and the
 * snapshots' job (architecture.md §3).
 *
 * An anvil must not outlive Tillid: on POSIX it runs under a small sh wrapper that holds a pipe
 * from this process and kills anvil when the pipe closes, which happens however this process
 * dies (kill -9 included). The wrapper runs in its own process group, so a Ctrl-C in the terminal
 * reaches only Tillid (which snapshots, then stops anvil) and a kill -9 of Tillid's process group
 * cannot take the watcher down with it. A pidfile catches the rest (a wrapper killed on its own).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { accessSync, constants, promises as fs, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import net from 'node:net'
import path from 'node:path'
import type { Logger } from 'pino'
import { LedgerError } from './errors.ts'
import { JsonRpc } from './rpc.ts'

/** Block hashes depend on the EVM implementation: a journal replayed by another anvil may diverge. */
export const PINNED_ANVIL_VERSION = '1.7.1'

/**
 * cancun measured fastest here over 10,000 single-transaction blocks (architecture.md §3:
 * 537 → 268 tx/s against 364 → 67 for the default hardfork).
 */
export const PINNED_HARDFORK = 'cancun'

/**
 * States of recent blocks anvil keeps in memory (see anvilArgs). Each is a full copy of the state:
 * at 15,000 agreements 64 of them took over 2 GB a third of the way through the set-up.
 */
export const PRUNE_HISTORY = 8

export interface ChainParams {
  chainId: number
  /** Unix seconds of the genesis block. */
  genesisTimestamp: number
  hardfork: string
  mnemonic: string
}

export function anvilArgs(params: ChainParams, port: number): string[] {
  return [
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--hardfork',
    params.hardfork,
    '--timestamp',
    String(params.genesisTimestamp),
    '--chain-id',
    String(params.chainId),
    '--mnemonic',
    params.mnemonic,
    '--gas-price',
    '0',
    '--block-base-fee-per-gas',
    '0',
    // anvil_loadState of a snapshot above ~2 MB fails without it.
    '--no-request-size-limit',
    // anvil otherwise keeps a full copy of the state for each of its last 500 blocks (gigabytes at
    // national scale, one block per transaction). Tillid reads only the latest state; tracing a
    // revert needs just the state before the last block, and durability is the journal's and the
    // snapshots' job.
    `--prune-history=${PRUNE_HISTORY}`,
    '--silent',
  ]
}

const npmArch: Record<string, string> = { x64: 'amd64', arm64: 'arm64' }

/** Path of the anvil binary from the npm platform package for this machine. */
export function resolveAnvilBinary(platform: string = process.platform, arch: string = process.arch): string {
  const pkg = `@foundry-rs/anvil-${platform}-${npmArch[arch] ?? arch}`
  const require = createRequire(import.meta.url)
  let dir: string
  try {
    dir = path.dirname(require.resolve(`${pkg}/package.json`))
  } catch {
    throw new LedgerError(
      'LEDGER_BINARY_MISSING',
      `anvil is not installed for ${platform}/${arch}: npm package ${pkg} is missing (run npm install; ` +
        '@foundry-rs/anvil has binaries for linux and darwin on x64/arm64 and win32 on x64)',
    )
  }
  const bin = path.join(dir, 'bin', platform === 'win32' ? 'anvil.exe' : 'anvil')
  try {
    accessSync(bin, constants.X_OK)
  } catch {
    throw new LedgerError('LEDGER_BINARY_MISSING', `anvil binary not found at ${bin} (reinstall ${pkg})`)
  }
  return bin
}

/** The version anvil reports, e.g. "1.7.1". */
export function anvilVersion(bin: string): string {
  let out: string
  try {
    out = execFileSync(bin, ['--version'], { encoding: 'utf8', timeout: 15_000 })
  } catch (e) {
    throw new LedgerError('LEDGER_BINARY_MISSING', `cannot run ${bin} --version: ${(e as Error).message}`)
  }
  const m = /Version:\s*([0-9]+\.[0-9]+\.[0-9]+)/i.exec(out) ?? /anvil\s+([0-9]+\.[0-9]+\.[0-9]+)/i.exec(out)
  if (!m?.[1])
    throw new LedgerError('LEDGER_VERSION_MISMATCH', `cannot read the anvil version from: ${out.trim()}`)
  return m[1]
}

export function assertPinnedVersion(bin: string): string {
  const version = anvilVersion(bin)
  if (version !== PINNED_ANVIL_VERSION) {
    throw new LedgerError(
      'LEDGER_VERSION_MISMATCH',
      `anvil ${version} found at ${bin}, but Tillid pins ${PINNED_ANVIL_VERSION} (block hashes depend on it); ` +
        `install @foundry-rs/anvil@${PINNED_ANVIL_VERSION}`,
    )
  }
  return version
}

export async function findFreePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

export async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer()
    server.once('error', (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'EADDRINUSE'
          ? new LedgerError(
              'LEDGER_PORT_IN_USE',
              `port ${port} for the embedded ledger (anvil) is already in use; set TILLID_ANVIL_PORT to a free port or 0`,
            )
          : e,
      )
    })
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()))
  })
}

export interface ExitInfo {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface AnvilProcess {
  /** pid of anvil itself (not the wrapper). */
  readonly pid: number
  readonly port: number
  readonly url: string
  /** Resolves when anvil has exited, for whatever reason. */
  readonly exited: Promise<ExitInfo>
  readonly hasExited: boolean
  /** Recent stderr of anvil, for error messages. */
  stderrTail(): string
  /** Stops anvil (SIGTERM, then SIGKILL after timeoutMs) and waits for it. */
  stop(timeoutMs?: number): Promise<void>
}

// Runs anvil with stdin from /dev/null and kills it when our pipe on fd 3 reaches EOF. A
// background list gets /dev/null as stdin unless redirected explicitly, hence the copy to fd 3.
const WRAPPER = `
exec 3<&0
"$@" </dev/null 3<&- &
a=$!
echo "tillid-anvil-pid $a"
trap 'kill -TERM $a 2>/dev/null' TERM INT HUP
( while read -r _; do :; done; kill -TERM $a 2>/dev/null; sleep 5; kill -KILL $a 2>/dev/null ) <&3 >/dev/null 2>&1 &
w=$!
code=0
while kill -0 $a 2>/dev/null; do wait $a; code=$?; done
kill $w 2>/dev/null
exit $code
`

export interface StartAnvilOptions {
  bin: string
  params: ChainParams
  port: number
  logger: Logger
  /** Written with our pid and anvil's, so a later start can remove an orphan. */
  pidFile?: string
  readyTimeoutMs?: number
}

export async function startAnvil(options: StartAnvilOptions): Promise<AnvilProcess> {
  const { bin, params, port, logger } = options
  const args = anvilArgs(params, port)
  const posix = process.platform !== 'win32'
  const child: ChildProcess = posix
    ? spawn('/bin/sh', ['-c', WRAPPER, 'tillid-anvil', bin, ...args], {
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
      })
    : spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] })

  let stderr = ''
  child.stderr?.setEncoding('utf8')
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000)
  })
  let exitInfo: ExitInfo | null = null
  let anvilPidKnown = 0
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal }
      // The wrapper killed on its own would leave anvil running on our port: end it too, and
      // close the pipe so its watcher exits now rather than whenever this process does.
      if (anvilPidKnown) {
        try {
          process.kill(anvilPidKnown, 'SIGKILL')
        } catch {}
      }
      child.stdin?.destroy()
      resolve(exitInfo)
    })
    child.once('error', (e) => {
      stderr += `\n${e.message}`
      exitInfo = { code: -1, signal: null }
      resolve(exitInfo)
    })
  })

  const anvilPid = posix
    ? await new Promise<number>((resolve, reject) => {
        let out = ''
        child.stdout?.setEncoding('utf8')
        const onData = (chunk: string) => {
          out += chunk
          const m = /tillid-anvil-pid (\d+)/.exec(out)
          if (m?.[1]) {
            child.stdout?.off('data', onData)
            child.stdout?.resume()
            resolve(Number(m[1]))
          }
        }
        child.stdout?.on('data', onData)
        void exited.then(() => reject(startFailed(port, stderr)))
      })
    : (child.pid ?? -1)
  anvilPidKnown = posix ? anvilPid : 0
  child.stdout?.resume()

  if (options.pidFile) {
    await fs.writeFile(
      options.pidFile,
      JSON.stringify({ ownerPid: process.pid, wrapperPid: child.pid, anvilPid, port }),
    )
  }

  const url = `http://127.0.0.1:${port}`
  const process_: AnvilProcess = {
    pid: anvilPid,
    port,
    url,
    exited,
    get hasExited() {
      return exitInfo !== null
    },
    stderrTail: () => stderr.trim(),
    async stop(timeoutMs = 5000) {
      if (exitInfo) return
      if (posix) child.stdin?.end()
      try {
        process.kill(anvilPid, 'SIGTERM')
      } catch {}
      const timer = setTimeout(() => {
        for (const pid of [anvilPid, child.pid]) {
          try {
            if (pid) process.kill(pid, 'SIGKILL')
          } catch {}
        }
      }, timeoutMs)
      await exited
      clearTimeout(timer)
      if (options.pidFile) await fs.rm(options.pidFile, { force: true })
    },
  }

  const rpc = new JsonRpc(url, 2000)
  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000)
  for (;;) {
    if (exitInfo) throw startFailed(port, stderr)
    try {
      await rpc.call('eth_chainId')
      break
    } catch {
      if (Date.now() > deadline) {
        await process_.stop(1000)
        throw new LedgerError(
          'LEDGER_START_FAILED',
          `anvil did not answer on ${url} within the start timeout`,
        )
      }
      await new Promise((r) => setTimeout(r, 25))
    }
  }
  logger.debug({ anvilPid, port }, 'anvil started')
  return process_
}

function startFailed(port: number, stderr: string): LedgerError {
  if (/address already in use/i.test(stderr)) {
    return new LedgerError(
      'LEDGER_PORT_IN_USE',
      `port ${port} for the embedded ledger (anvil) is already in use; set TILLID_ANVIL_PORT to a free port or 0`,
    )
  }
  const last = stderr.trim().split('\n').slice(-3).join(' | ')
  return new LedgerError('LEDGER_START_FAILED', `anvil exited during start${last ? `: ${last}` : ''}`)
}

/**
 * Removes an anvil left behind by an earlier Tillid on this data directory. Refuses when that
 * Tillid is still alive: two processes on one data directory would corrupt each other.
 */
export async function clearStaleAnvil(pidFile: string, logger: Logger): Promise<void> {
  let recorded: { ownerPid?: number; anvilPid?: number; wrapperPid?: number }
  try {
    recorded = JSON.parse(await fs.readFile(pidFile, 'utf8'))
  } catch {
    return
  }
  const { ownerPid, anvilPid, wrapperPid } = recorded
  const ownerAlive =
    ownerPid === process.pid
      ? anvilPid !== undefined && alive(anvilPid)
      : commandLine(ownerPid)?.includes('node')
  if (ownerPid && ownerAlive) {
    throw new LedgerError(
      'LEDGER_DATA_DIR_IN_USE',
      `the ledger in ${path.dirname(pidFile)} is in use by process ${ownerPid}; stop it first or use another TILLID_DATA_DIR`,
    )
  }
  for (const pid of [anvilPid, wrapperPid]) {
    if (!pid) continue
    const cmd = commandLine(pid)
    if (cmd?.includes('anvil')) {
      logger.warn({ pid }, 'stopping an anvil left behind by an earlier run')
      try {
        process.kill(pid, 'SIGKILL')
      } catch {}
      // Its port is free only once it is gone.
      for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20))
    }
  }
  await fs.rm(pidFile, { force: true })
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

function commandLine(pid: number | undefined): string | null {
  if (!pid) return null
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ')
  } catch {
    return null
  }
}
