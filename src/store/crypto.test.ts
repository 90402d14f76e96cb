import { randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  CaseKey,
  generateDataKey,
  KeyError,
  loadOrCreateKek,
  open,
  seal,
  unwrapKey,
  wrapKey,
} from './crypto.ts'

const root = path.join(os.tmpdir(), `tillid-kek-${randomBytes(4).toString('hex')}`)
afterAll(() => fs.rm(root, { recursive: true, force: true }))

describe('loadOrCreateKek', () => {
  it('generates DATA_DIR/kek.hex with mode 0600 on first start and reuses it', async () => {
    const dir = path.join(root, 'a')
    const first = await loadOrCreateKek(dir)
    expect(first.length).toBe(32)
    const stat = await fs.stat(path.join(dir, 'kek.hex'))
    expect(stat.mode & 0o777).toBe(0o600)
    expect(await loadOrCreateKek(dir)).toEqual(first)
  })

  it('gives one key to concurrent first starts', async () => {
    const dir = path.join(root, 'b')
    const keys = await Promise.all([loadOrCreateKek(dir), loadOrCreateKek(dir), loadOrCreateKek(dir)])
    expect(keys[1]).toEqual(keys[0])
    expect(keys[2]).toEqual(keys[0])
  })

  it('refuses a generated key file readable by others', async () => {
    const dir = path.join(root, 'c')
    await loadOrCreateKek(dir)
    await fs.chmod(path.join(dir, 'kek.hex'), 0o644)
    await expect(loadOrCreateKek(dir)).rejects.toMatchObject({ code: 'KEK_PERMISSIONS' })
  })

  it('reads a configured key file and rejects malformed ones', async () => {
    await fs.mkdir(root, { recursive: true })
    const file = path.join(root, 'kek-config.hex')
    const hex = randomBytes(32).toString('hex')
    await fs.writeFile(file, `0x${hex}\n`)
    expect(Buffer.from(await loadOrCreateKek(path.join(root, 'unused'), file)).toString('hex')).toBe(hex)
    await fs.writeFile(file, 'abc')
    await expect(loadOrCreateKek(root, file)).rejects.toMatchObject({ code: 'KEK_INVALID' })
  })
})

describe('envelope encryption', () => {
  const kek = new Uint8Array(randomBytes(32))

  it('wraps and unwraps a data key bound to its case', () => {
    const dk = generateDataKey()
    const wrapped = wrapKey(kek, dk, 'case-1')
    expect(unwrapKey(kek, wrapped, 'case-1')).toEqual(dk)
    expect(() => unwrapKey(kek, wrapped, 'case-2')).toThrow(KeyError)
    expect(() => unwrapKey(new Uint8Array(randomBytes(32)), wrapped, 'case-1')).toThrow(KeyError)
  })

  it('detects any flipped bit and a ciphertext moved to another place', () => {
    const key = new Uint8Array(randomBytes(32))
    const sealed = seal(key, new TextEncoder().encode('hemmeligt'), 'citizen/1/name')
    expect(new TextDecoder().decode(open(key, sealed, 'citizen/1/name'))).toBe('hemmeligt')
    for (let i = 0; i < sealed.length; i++) {
      const bad = sealed.slice()
      bad[i]! ^= 1
      expect(() => open(key, bad, 'citizen/1/name')).toThrow(KeyError)
    }
    expect(() => open(key, sealed, 'citizen/2/name')).toThrow(/fails authentication/)
  })

  it('derives distinct, stable salts and content ids per case key', () => {
    const dk = generateDataKey()
    const a = new CaseKey('c', dk)
    const b = new CaseKey('c', dk)
    expect(a.anchorSalt('document', 'd1')).toEqual(b.anchorSalt('document', 'd1'))
    expect(a.anchorSalt('document', 'd1')).not.toEqual(a.anchorSalt('document', 'd2'))
    expect(a.anchorSalt('document', 'd1')).not.toEqual(
      new CaseKey('c', generateDataKey()).anchorSalt('document', 'd1'),
    )
    expect(a.contentId(new Uint8Array([1]))).toEqual(b.contentId(new Uint8Array([1])))
  })
})
