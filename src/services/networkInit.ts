/**
 * `tillid network init`: writes a Besu QBFT network for Tillid to a directory — genesis, one node
 * key per validator (0600), node permissioning, static nodes and a start script per node. The
 * contents come from ledger/network/besuNetwork.ts; this module only generates keys and writes.
 *
 * Layout of DIR:
 *   genesis.json, permissions_config.toml, static-nodes.json, network.json (no secrets)
 *   node-N/key (0600), node-N/key.pub, node-N/address, node-N/start.sh (0755)
 */
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { generatePrivateKey } from 'viem/accounts'
import {
  besuGenesis,
  DEFAULT_NETWORK_PARAMS,
  type NetworkParams,
  networkSummary,
  nodeEndpoints,
  permissionsConfigToml,
  startScript,
  staticNodesJson,
  type ValidatorNode,
  validatorNode,
} from '../ledger/network/besuNetwork.ts'

export class NetworkInitError extends Error {
  override name = 'NetworkInitError'
  constructor(
    readonly code: 'NETWORK_BAD_INPUT' | 'NETWORK_DIR_NOT_EMPTY',
    message: string,
  ) {
    super(message)
  }
}

export interface NetworkInitOptions {
  validators: number
  outDir: string
  chainId: number
  /** Overwrite an existing network directory (its keys are lost). */
  force?: boolean
  /** One host per validator; default: all on 127.0.0.1 with consecutive ports. */
  hosts?: readonly string[]
  genesisTimestamp?: number
  blockPeriodSeconds?: number
}

export interface NetworkInitResult {
  outDir: string
  files: string[]
  summary: ReturnType<typeof networkSummary>
}

// QBFT tolerates f faulty validators out of 3f+1; one validator is allowed for a trial network.
const MAX_VALIDATORS = 100

export async function initNetwork(options: NetworkInitOptions): Promise<NetworkInitResult> {
  const { validators: count, outDir } = options
  if (!Number.isInteger(count) || count < 1 || count > MAX_VALIDATORS) {
    throw new NetworkInitError(
      'NETWORK_BAD_INPUT',
      `antal validatorer skal være et heltal fra 1 til ${MAX_VALIDATORS} (fik ${count})`,
    )
  }
  for (const [name, value] of [
    ['--chain-id', options.chainId],
    ['--block-period', options.blockPeriodSeconds ?? 1],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new NetworkInitError('NETWORK_BAD_INPUT', `${name} skal være et positivt heltal (fik ${value})`)
    }
  }
  if (options.hosts && options.hosts.length !== count) {
    throw new NetworkInitError(
      'NETWORK_BAD_INPUT',
      `--hosts skal have én adresse pr. validator (${count}), fik ${options.hosts.length}`,
    )
  }
  const existing = await fs.readdir(outDir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return []
    throw e
  })
  if (existing.length > 0 && !options.force) {
    throw new NetworkInitError(
      'NETWORK_DIR_NOT_EMPTY',
      `${outDir} er ikke tom; brug --force for at overskrive (de gamle nøgler går tabt)`,
    )
  }
  if (existing.length > 0) await fs.rm(outDir, { recursive: true, force: true })

  const params: NetworkParams = {
    ...DEFAULT_NETWORK_PARAMS,
    chainId: options.chainId,
    genesisTimestamp: options.genesisTimestamp ?? Math.floor(Date.now() / 1000),
    ...(options.blockPeriodSeconds ? { blockPeriodSeconds: options.blockPeriodSeconds } : {}),
  }
  const nodes: ValidatorNode[] = nodeEndpoints(count, options.hosts).map((endpoint) =>
    validatorNode(generatePrivateKey(), endpoint),
  )

  const files: string[] = []
  const write = async (rel: string, content: string, mode = 0o644) => {
    const file = path.join(outDir, rel)
    await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
    await fs.writeFile(file, content, { mode })
    // writeFile's mode only applies to a new file and is masked by the umask: set it exactly.
    await fs.chmod(file, mode)
    files.push(rel)
  }

  await fs.mkdir(outDir, { recursive: true, mode: 0o700 })
  const summary = networkSummary(params, nodes)
  await write(
    'genesis.json',
    `${JSON.stringify(
      besuGenesis(
        params,
        nodes.map((n) => n.address),
      ),
      null,
      2,
    )}\n`,
  )
  await write('permissions_config.toml', permissionsConfigToml(nodes))
  await write('static-nodes.json', staticNodesJson(nodes))
  await write('network.json', `${JSON.stringify(summary, null, 2)}\n`)
  for (const node of nodes) {
    // Besu reads the node key as hex text; the address is the validator address in extraData.
    await write(`${node.name}/key`, node.privateKey, 0o600)
    await write(`${node.name}/key.pub`, node.publicKey)
    await write(`${node.name}/address`, `${node.address}\n`)
    await write(`${node.name}/start.sh`, startScript(node), 0o755)
  }
  return { outDir, files, summary }
}
