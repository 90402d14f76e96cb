import { promises as fs, mkdtempSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Hex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, describe, expect, it } from 'vitest'
import { decodeQbftExtraData } from '../../src/ledger/network/besuNetwork.ts'
import { initNetwork, NetworkInitError } from '../../src/services/networkInit.ts'

const root = mkdtempSync(path.join(os.tmpdir(), 'tillid-network-'))
afterAll(() => fs.rm(root, { recursive: true, force: true }))

describe('tillid network init', () => {
  const out = path.join(root, 'net')

  it('writes a genesis whose validators are the addresses of the written keys', async () => {
    const result = await initNetwork({ validators: 4, outDir: out, chainId: 45054 })
    const genesis = JSON.parse(await fs.readFile(path.join(out, 'genesis.json'), 'utf8'))
    expect(genesis.config.chainId).toBe(45054)
    const fromKeys: string[] = []
    for (let i = 1; i <= 4; i++) {
      const dir = path.join(out, `node-${i}`)
      const key = (await fs.readFile(path.join(dir, 'key'), 'utf8')) as Hex
      const account = privateKeyToAccount(key)
      expect((await fs.readFile(path.join(dir, 'address'), 'utf8')).trim()).toBe(account.address)
      expect(`0x04${(await fs.readFile(path.join(dir, 'key.pub'), 'utf8')).slice(2)}`).toBe(account.publicKey)
      expect((await fs.stat(path.join(dir, 'key'))).mode & 0o777).toBe(0o600)
      expect((await fs.stat(path.join(dir, 'start.sh'))).mode & 0o777).toBe(0o755)
      const script = await fs.readFile(path.join(dir, 'start.sh'), 'utf8')
      expect(script).toContain(`--rpc-http-port=${8544 + i}`)
      fromKeys.push(account.address.toLowerCase())
    }
    expect(decodeQbftExtraData(genesis.extraData).validators).toEqual(fromKeys)

    const toml = await fs.readFile(path.join(out, 'permissions_config.toml'), 'utf8')
    const staticNodes = JSON.parse(await fs.readFile(path.join(out, 'static-nodes.json'), 'utf8')) as string[]
    expect(staticNodes).toHaveLength(4)
    for (const enode of staticNodes) expect(toml).toContain(`"${enode}"`)
    expect(result.summary.tillidRpcUrl.split(',')).toHaveLength(4)
    // The summary is meant to be shared: no private key in it.
    const summary = await fs.readFile(path.join(out, 'network.json'), 'utf8')
    for (let i = 1; i <= 4; i++) {
      const key = await fs.readFile(path.join(out, `node-${i}`, 'key'), 'utf8')
      expect(summary).not.toContain(key.slice(2))
    }
  })

  it('refuses to overwrite an existing network without --force, and replaces it with', async () => {
    const before = await fs.readFile(path.join(out, 'node-1', 'key'), 'utf8')
    const error = await initNetwork({ validators: 2, outDir: out, chainId: 45054 }).catch((e) => e)
    expect(error).toBeInstanceOf(NetworkInitError)
    expect((error as NetworkInitError).code).toBe('NETWORK_DIR_NOT_EMPTY')
    expect(await fs.readFile(path.join(out, 'node-1', 'key'), 'utf8')).toBe(before)
    expect(await fs.readdir(out)).toContain('node-4')

    await initNetwork({ validators: 2, outDir: out, chainId: 45054, force: true })
    expect(await fs.readFile(path.join(out, 'node-1', 'key'), 'utf8')).not.toBe(before)
    expect(await fs.readdir(out)).not.toContain('node-4')
  })

  it('refuses a bad validator count or host list before writing anything', async () => {
    const dir = path.join(root, 'bad')
    for (const validators of [0, -1, 1.5, 101]) {
      const error = await initNetwork({ validators, outDir: dir, chainId: 1 }).catch((e) => e)
      expect((error as NetworkInitError).code).toBe('NETWORK_BAD_INPUT')
    }
    const error = await initNetwork({ validators: 2, outDir: dir, chainId: 1, hosts: ['a'] }).catch((e) => e)
    expect((error as NetworkInitError).code).toBe('NETWORK_BAD_INPUT')
    await expect(fs.stat(dir)).rejects.toThrow()
  })

  it('spreads validators over the given hosts with the standard ports', async () => {
    const dir = path.join(root, 'hosts')
    const r = await initNetwork({ validators: 2, outDir: dir, chainId: 7, hosts: ['10.0.0.1', '10.0.0.2'] })
    expect(r.summary.validators.map((v) => v.rpcUrl)).toEqual([
      'http://10.0.0.1:8545',
      'http://10.0.0.2:8545',
    ])
    expect(r.summary.validators[1]!.enode).toMatch(/@10\.0\.0\.2:30303$/)
  })
})
