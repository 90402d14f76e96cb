/**
 * Worker thread of the integrity check: keccak256 of many inputs, packed into one buffer with their
 * end offsets, answered as one buffer of 32-byte hashes. Plain JavaScript so it starts the same under
 * tsx, vitest and node. The hashing is @noble/hashes' keccak_256, the implementation behind viem's keccak256.
 */
import { parentPort } from 'node:worker_threads'
import { keccak_256 } from '@noble/hashes/sha3'

parentPort.on('message', ({ id, data, ends }) => {
  const out = new Uint8Array(ends.length * 32)
  let start = 0
  for (let i = 0; i < ends.length; i++) {
    out.set(keccak_256(data.subarray(start, ends[i])), i * 32)
    start = ends[i]
  }
  parentPort.postMessage({ id, out }, [out.buffer])
})
