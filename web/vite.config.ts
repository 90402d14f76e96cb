import path from 'node:path'
import { fileURLToPath } from 'node:url'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

const here = path.dirname(fileURLToPath(import.meta.url))
// The API process; `vite --config web/vite.config.ts` proxies to it during development.
const apiTarget = 'http://127.0.0.1:8080'

export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  resolve: {
    // dkfds' package.json `exports` only exposes its JS; the alias reaches its CSS, fonts and icons.
    alias: { 'dkfds-dist': path.resolve(here, '../node_modules/dkfds/dist') },
  },
  build: {
    outDir: path.join(here, 'dist'),
    emptyOutDir: true,
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1000,
  },
  server: {
    proxy: { '/api': apiTarget, '/auth': apiTarget, '/oidc': apiTarget },
  },
})
