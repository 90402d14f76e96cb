/**
 * keccak256 on a worker thread for the integrity check: hashing is about half of checking an anchor,
 * and on a worker it overlaps with reading and decrypting the next page on the main thread. Inputs
 * go over in one transferred buffer per page, hashes come back the same way.
 */
import { Worker } from 'node:worker_threads'

export interface Hasher {
  /** keccak256 of each input, as 0x-prefixed lowercase hex, in order. */
  hash(inputs: Uint8Array[]): Promise<string[]>
  close(): Promise<void>
}

export function keccakWorker(): Hasher {
  const worker = new Worker(new URL('./keccakWorker.mjs', import.meta.url))
  const waiting = new Map<number, { resolve: (h: string[]) => void; reject: (e: unknown) => void }>()
  let next = 0
  let failed: unknown = null
  const fail = (err: unknown) => {
    failed = err
    for (const w of waiting.values()) w.reject(err)
    waiting.clear()
  }
  worker.on('error', fail)
  worker.on('exit', (code) => {
    if (waiting.size) fail(new Error(`keccak worker exited with code ${code}`))
  })
  worker.on('message', ({ id, out }: { id: number; out: Uint8Array }) => {
    const w = waiting.get(id)
    if (!w) return
    waiting.delete(id)
    const buf = Buffer.from(out.buffer, out.byteOffset, out.byteLength)
    const hashes: string[] = []
    for (let i = 0; i < buf.length; i += 32) hashes.push(`0x${buf.toString('hex', i, i + 32)}`)
    w.resolve(hashes)
  })
  return {
    hash(inputs) {
      if (failed) return Promise.reject(failed)
      let size = 0
      for (const i of inputs) size += i.length
      const data = new Uint8Array(size)
      const ends = new Uint32Array(inputs.length)
      let at = 0
      inputs.forEach((input, i) => {
        data.set(input, at)
        at += input.length
        ends[i] = at
      })
      const id = next++
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject })
        worker.postMessage({ id, data, ends }, [data.buffer, ends.buffer])
      })
    },
    async close() {
      await worker.terminate()
    },
  }
}
