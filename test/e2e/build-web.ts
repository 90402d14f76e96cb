/** Builds the web app from the current sources into a scratch directory for browser tests. */
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'vite'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/** Each process builds into its own directory, so parallel test runs never share files. */
export async function buildWeb(outName = `e2e-web-${process.pid}`): Promise<string> {
  const outDir = path.join(root, '.test-tmp', outName)
  await build({
    configFile: path.join(root, 'web', 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  })
  return outDir
}
