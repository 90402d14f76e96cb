/**
 * Envelope encryption for personal data: a random 32-byte data key per case (AES-256-GCM),
 * wrapped by the key-encryption key (KEK). Every other secret of a case — anchor salts, the
 * keyed content ids of its documents — is derived from the data key with HKDF, so destroying
 * the one wrapped key destroys all of them.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto'
import { promises as fs } from 'node:fs'
import path from 'node:path'

export const KEY_BYTES = 32
const IV_BYTES = 12
const TAG_BYTES = 16
const VERSION = 1

export class KeyError extends Error {
  override name = 'KeyError'
  constructor(
    readonly code: 'KEK_INVALID' | 'KEK_PERMISSIONS' | 'CASE_KEY_MISSING' | 'DECRYPT_FAILED',
    message: string,
  ) {
    super(message)
  }
}

function parseKekHex(text: string, source: string): Uint8Array {
  const hex = text.trim().replace(/^0x/i, '')
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new KeyError('KEK_INVALID', `${source} must hold a 32-byte key as 64 hex digits`)
  }
  return new Uint8Array(Buffer.from(hex, 'hex'))
}

/**
 * The KEK from `kekFile` (hex) when given; otherwise DATA_DIR/kek.hex, created with mode 0600 on
 * first start. A generated key file readable by others is refused: anyone who can read it
 * together with a backup can read every case.
 */
export async function loadOrCreateKek(dataDir: string, kekFile?: string): Promise<Uint8Array> {
  if (kekFile) return parseKekHex(await fs.readFile(kekFile, 'utf8'), kekFile)
  const file = path.join(dataDir, 'kek.hex')
  await fs.mkdir(dataDir, { recursive: true })
  try {
    const handle = await fs.open(file, 'wx', 0o600)
    try {
      await handle.writeFile(`${randomBytes(KEY_BYTES).toString('hex')}\n`)
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
  }
  const stat = await fs.stat(file)
  if ((stat.mode & 0o077) !== 0) {
    throw new KeyError(
      'KEK_PERMISSIONS',
      `${file} is readable by group or others (mode ${(stat.mode & 0o777).toString(8)}); run chmod 600 on it`,
    )
  }
  return parseKekHex(await fs.readFile(file, 'utf8'), file)
}

/** Short fingerprint naming which KEK wrapped a key (for rotation), revealing nothing about it. */
export function kekId(kek: Uint8Array): string {
  return createHash('sha256').update('tillid/kek-id/v1').update(kek).digest('hex').slice(0, 16)
}

/** AES-256-GCM; output is version ‖ iv ‖ tag ‖ ciphertext. `aad` binds the ciphertext to its place. */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad: string): Uint8Array {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(aad, 'utf8'))
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return new Uint8Array(Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), ct]))
}

export function open(key: Uint8Array, sealed: Uint8Array, aad: string): Uint8Array {
  const buf = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength)
  if (buf.length < 1 + IV_BYTES + TAG_BYTES || buf[0] !== VERSION) {
    throw new KeyError('DECRYPT_FAILED', `ciphertext for ${aad} is malformed`)
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(1, 1 + IV_BYTES))
    decipher.setAAD(Buffer.from(aad, 'utf8'))
    decipher.setAuthTag(buf.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES))
    return new Uint8Array(
      Buffer.concat([decipher.update(buf.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]),
    )
  } catch {
    throw new KeyError('DECRYPT_FAILED', `ciphertext for ${aad} fails authentication`)
  }
}

function subkey(root: Uint8Array, info: string): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', root, new Uint8Array(0), info, KEY_BYTES))
}

// Keys derived from the KEK, derived once per KEK instead of on every wrap, unwrap and blind index
// (a case write used to run HKDF twice just for those).
const kekSubkeys = new WeakMap<Uint8Array, Map<string, Uint8Array>>()
function kekSubkey(kek: Uint8Array, info: string): Uint8Array {
  let derived = kekSubkeys.get(kek)
  if (!derived) {
    derived = new Map()
    kekSubkeys.set(kek, derived)
  }
  let key = derived.get(info)
  if (!key) {
    key = subkey(kek, info)
    derived.set(info, key)
  }
  return key
}

/** The unwrapped key of one case and everything derived from it. */
export class CaseKey {
  private readonly encKey: Uint8Array
  private readonly saltKey: Uint8Array
  private readonly contentKey: Uint8Array

  constructor(
    readonly caseId: string,
    dataKey: Uint8Array,
  ) {
    this.encKey = subkey(dataKey, 'tillid/case/encrypt/v1')
    this.saltKey = subkey(dataKey, 'tillid/case/anchor-salt/v1')
    this.contentKey = subkey(dataKey, 'tillid/case/content-id/v1')
  }

  seal(plaintext: Uint8Array | string, aad: string): Uint8Array {
    const bytes = typeof plaintext === 'string' ? new TextEncoder().encode(plaintext) : plaintext
    return seal(this.encKey, bytes, `${this.caseId}/${aad}`)
  }

  open(sealed: Uint8Array, aad: string): Uint8Array {
    return open(this.encKey, sealed, `${this.caseId}/${aad}`)
  }

  openText(sealed: Uint8Array, aad: string): string {
    return new TextDecoder().decode(this.open(sealed, aad))
  }

  /** The anchor salt of an object of this case; never stored, so it dies with the key. */
  anchorSalt(kind: string, objectId: string): Uint8Array {
    return new Uint8Array(createHmac('sha256', this.saltKey).update(`${kind}\u0000${objectId}`).digest())
  }

  /** Keyed content address: equal documents in a case share it; it says nothing without the key. */
  contentId(bytes: Uint8Array): Uint8Array {
    return new Uint8Array(createHmac('sha256', this.contentKey).update(bytes).digest())
  }
}

export function generateDataKey(): Uint8Array {
  return new Uint8Array(randomBytes(KEY_BYTES))
}

export function wrapKey(kek: Uint8Array, dataKey: Uint8Array, caseId: string): Uint8Array {
  return seal(kekSubkey(kek, 'tillid/kek/wrap/v1'), dataKey, `case-key/${caseId}`)
}

export function unwrapKey(kek: Uint8Array, wrapped: Uint8Array, caseId: string): Uint8Array {
  return open(kekSubkey(kek, 'tillid/kek/wrap/v1'), wrapped, `case-key/${caseId}`)
}

/**
 * HMAC of normalised CPR digits under a key derived from the KEK: lets the store find every
 * record of one person without decrypting, and cannot be brute-forced without the KEK.
 */
export function cprBlindIndex(kek: Uint8Array, cprDigits: string): Uint8Array {
  return new Uint8Array(
    createHmac('sha256', kekSubkey(kek, 'tillid/cpr-blind-index/v1')).update(cprDigits).digest(),
  )
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}
