/**
 * Concurrent HTTP clients signing agreements, run in a worker thread as the read benchmarks' load
 * generator is: in the server's own thread their request building and response parsing would be
 * charged to the API being measured. Plain JavaScript in the worker, so it needs no TypeScript loader.
 */
import { Worker } from 'node:worker_threads'

const CLIENT_CODE = `
const { parentPort, workerData: w } = require('node:worker_threads')
let next = 0
const client = async () => {
  while (next < w.ids.length) {
    const id = w.ids[next++]
    const res = await fetch(w.baseUrl + '/api/agreements/' + id + '/sign', {
      method: 'POST',
      headers: { ...w.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ version: 1 }),
    })
    const text = await res.text()
    if (res.status >= 300) throw new Error('sign ' + id + ': HTTP ' + res.status + ' ' + text.slice(0, 300))
  }
}
const t0 = performance.now()
Promise.all(Array.from({ length: w.clients }, client)).then(
  () => parentPort.postMessage({ ms: performance.now() - t0 }),
  (e) => parentPort.postMessage({ error: String((e && e.message) || e) }),
)
`

/** Signs version 1 of every agreement in `ids` from `clients` concurrent clients; milliseconds taken. */
export async function signFromWorker(options: {
  baseUrl: string
  headers: Record<string, string>
  ids: string[]
  clients: number
}): Promise<number> {
  const worker = new Worker(CLIENT_CODE, { eval: true, workerData: options })
  try {
    const answer = await new Promise<{ ms?: number; error?: string }>((resolve, reject) => {
      worker.once('message', resolve)
      worker.once('error', reject)
    })
    if (answer.error !== undefined || answer.ms === undefined) throw new Error(answer.error ?? 'no answer')
    return answer.ms
  } finally {
    await worker.terminate()
  }
}
