/** A recording JSON-RPC proxy: which methods does Tillid call on a node? */
import http from 'node:http'

export interface RecordingProxy {
  url: string
  /** Every JSON-RPC method called through the proxy, in order (batch members included). */
  methods: string[]
  close(): Promise<void>
}

/** A JSON-RPC HTTP proxy that records each method before forwarding the request unchanged. */
export async function recordingRpcProxy(target: string): Promise<RecordingProxy> {
  const methods: string[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8')
      try {
        const parsed = JSON.parse(body) as { method?: string } | { method?: string }[]
        for (const call of Array.isArray(parsed) ? parsed : [parsed]) methods.push(String(call.method))
      } catch {
        methods.push('<unparseable>')
      }
      try {
        const upstream = await fetch(target, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        })
        res.writeHead(upstream.status, { 'content-type': 'application/json' })
        res.end(await upstream.text())
      } catch (err) {
        res.writeHead(502)
        res.end(String(err))
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    methods,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
