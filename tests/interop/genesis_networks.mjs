// The public networks' genesis files, dumped in the reference client's format
// (`geth dumpgenesis`: the chain config with every fork, the terminal total
// difficulty as a bare JSON number, 0x-hex header fields and balances), from
// the genesis states @ethereumjs/genesis ships and the header values
// @ethereumjs/common ships. `ethp2p chain genesis --genesis FILE` must give the
// same genesis hash and fork ID as the built-in network, at several times.
import { writeFileSync } from 'node:fs'
import { getGenesis } from '@ethereumjs/genesis'
import { Mainnet, Sepolia, Holesky, Hoodi } from '@ethereumjs/common'
import { log, check, run, finish, work, join } from './common.mjs'

const blocks = (pairs) => Object.fromEntries(pairs)
const pre = ['homesteadBlock', 'eip150Block', 'eip155Block', 'eip158Block', 'byzantiumBlock', 'constantinopleBlock',
  'petersburgBlock', 'istanbulBlock', 'berlinBlock', 'londonBlock']
const allZero = blocks(pre.map((k) => [k, 0]))

// The chain configs as the reference writes them. Mainnet's TTD goes in as
// the placeholder TTD_NUMBER and is replaced by the bare 23-digit number.
const networks = [
  {
    name: 'mainnet', id: 1, common: Mainnet,
    config: {
      homesteadBlock: 1150000, daoForkBlock: 1920000, daoForkSupport: true, eip150Block: 2463000,
      eip155Block: 2675000, eip158Block: 2675000, byzantiumBlock: 4370000, constantinopleBlock: 7280000,
      petersburgBlock: 7280000, istanbulBlock: 9069000, muirGlacierBlock: 9200000, berlinBlock: 12244000,
      londonBlock: 12965000, arrowGlacierBlock: 13773000, grayGlacierBlock: 15050000,
      terminalTotalDifficulty: 'TTD_NUMBER', shanghaiTime: 1681338455, cancunTime: 1710338135,
      pragueTime: 1746612311, osakaTime: 1764798551, bpo1Time: 1765290071, bpo2Time: 1767747671,
      depositContractAddress: '0x00000000219ab540356cbb839cbe05303d7705fa', ethash: {},
    },
    ttd: '58750000000000000000000',
  },
  {
    name: 'sepolia', id: 11155111, common: Sepolia,
    config: {
      ...allZero, muirGlacierBlock: 0, mergeNetsplitBlock: 1735371, terminalTotalDifficulty: 17000000000000000,
      shanghaiTime: 1677557088, cancunTime: 1706655072, pragueTime: 1741159776, osakaTime: 1760427360,
      bpo1Time: 1761017184, bpo2Time: 1761607008,
      depositContractAddress: '0x7f02c3e3c98b133055b8b348b2ac625669ed295d', ethash: {},
    },
  },
  {
    name: 'holesky', id: 17000, common: Holesky,
    config: {
      ...allZero, mergeNetsplitBlock: 0, terminalTotalDifficulty: 0, shanghaiTime: 1696000704,
      cancunTime: 1707305664, pragueTime: 1740434112, osakaTime: 1759308480, bpo1Time: 1759800000,
      bpo2Time: 1760389824, depositContractAddress: '0x4242424242424242424242424242424242424242', ethash: {},
    },
  },
  {
    name: 'hoodi', id: 560048, common: Hoodi,
    config: {
      ...allZero, mergeNetsplitBlock: 0, terminalTotalDifficulty: 0, shanghaiTime: 0, cancunTime: 0,
      pragueTime: 1742999832, osakaTime: 1761677592, bpo1Time: 1762365720, bpo2Time: 1762955544,
      depositContractAddress: '0x00000000219ab540356cbb839cbe05303d7705fa', ethash: {},
    },
  },
]

const hex = (v) => (typeof v === 'number' ? '0x' + v.toString(16) : v)

for (const net of networks) {
  const state = getGenesis(net.id)
  const alloc = {}
  for (const [addr, acct] of Object.entries(state)) {
    if (!Array.isArray(acct)) {
      alloc[addr.toLowerCase().slice(2)] = { balance: acct }
      continue
    }
    const [balance, code, storage, nonce] = acct
    const a = { balance }
    if (code && code !== '0x') a.code = code
    if (storage && storage.length) a.storage = Object.fromEntries(storage)
    if (nonce && nonce !== '0x' && BigInt(nonce) !== 0n) a.nonce = nonce
    alloc[addr.toLowerCase().slice(2)] = a
  }
  const g = net.common.genesis
  const doc = {
    config: { chainId: net.id, ...net.config },
    nonce: g.nonce, timestamp: hex(g.timestamp ?? '0x0'), extraData: g.extraData, gasLimit: hex(g.gasLimit),
    difficulty: hex(g.difficulty), mixHash: '0x' + '00'.repeat(32), coinbase: '0x' + '00'.repeat(20),
    alloc, number: '0x0', gasUsed: '0x0', parentHash: '0x' + '00'.repeat(32),
  }
  if (g.baseFeePerGas) doc.baseFeePerGas = g.baseFeePerGas
  let text = JSON.stringify(doc, null, 2)
  if (net.ttd) text = text.replace('"TTD_NUMBER"', net.ttd)
  const file = join(work, `${net.name}.json`)
  writeFileSync(file, text)
  log(`${net.name}: ${Object.keys(alloc).length} accounts, ${text.length} bytes`)
  // The fork ID at several heads: before and after each recent time fork.
  for (const time of [1700000000, 1750000000, 1800000000]) {
    const ours = await run(['chain', 'genesis', '--genesis', file, '--time', String(time)])
    const builtin = await run(['chain', 'genesis', `--${net.name}`, '--time', String(time)])
    if (!check(ours.code === 0 && builtin.code === 0, `${net.name} @${time}: both commands succeed`)) {
      log(ours.err, builtin.err)
      continue
    }
    const a = JSON.parse(ours.out)
    const b = JSON.parse(builtin.out)
    check(a.genesis === b.genesis, `${net.name}: genesis hash from the dumped file ${a.genesis} = built-in ${b.genesis}`)
    check(a.forkid === b.forkid && a.next === b.next,
      `${net.name} @${time}: fork ID ${a.forkid}/${a.next} = built-in ${b.forkid}/${b.next}`)
    // Mainnet and Sepolia began with proof of work (merged later, by their TTD);
    // Holesky and Hoodi reach their TTD of 0 at genesis.
    const atGenesis = net.config.terminalTotalDifficulty === 0
    check(a.postMerge === atGenesis, `${net.name}: past the merge at genesis: ${a.postMerge}, expected ${atGenesis}`)
    if (net.ttd) check(BigInt(a.ttd) === BigInt(net.ttd), `${net.name}: TTD read exactly (${BigInt(a.ttd)})`)
  }
}
finish()
