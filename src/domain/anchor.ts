/**
 * Anchors: the salted hash the chain keeps of an off-chain record or document.
 * keccak256(salt ‖ bytes): without the salt (kept off chain, destroyed on erasure) a hash of a
 * small record cannot be confirmed by guessing its contents.
 */
import { concatBytes, type Hex, keccak256 } from 'viem'
import { canonicalBytes } from './canonicalJson.ts'

export const ANCHOR_SALT_BYTES = 32

export function anchorHash(salt: Uint8Array, bytes: Uint8Array): Hex {
  return keccak256(anchorPreimage(salt, bytes))
}

/** What the anchor hashes: salt ‖ bytes (for hashing elsewhere, e.g. on a worker thread). */
export function anchorPreimage(salt: Uint8Array, bytes: Uint8Array): Uint8Array {
  if (salt.length !== ANCHOR_SALT_BYTES)
    throw new Error(`anchor salt must be ${ANCHOR_SALT_BYTES} bytes, got ${salt.length}`)
  return concatBytes([salt, bytes])
}

/** Anchor of a record: keccak256(salt ‖ canonical JSON bytes). */
export function anchorRecord(salt: Uint8Array, record: unknown): Hex {
  return anchorHash(salt, canonicalBytes(record))
}
