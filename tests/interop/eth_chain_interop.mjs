// A post-merge chain served to @ethereumjs/devp2p over eth/68, on loopback.
//
//   JS RLPx J --connect--> ethp2p node N (--genesis chain-postmerge/genesis.json --import chain.rlp)
//
// N imports the reference's 600-block test chain (Shanghai at genesis, Cancun,
// Prague; typed and blob transactions, withdrawals). Checks: N's Status carries
// the true head (block 600's hash from headblock.json); JS fetches every header
// (by number, in batches, and by hash in reverse) and every body (withdrawals
// included), and each is byte for byte what chain.rlp holds; receipts are
// answered for what N holds; a NewBlock after the merge changes nothing.
import { RLP } from '@ethereumjs/rlp'
import { IpcSocketProvider } from 'ethers'
import { bytesToHex, hexToBytes, intToBytes, bytesToBigInt } from '@ethereumjs/util'
import { keccak256 } from 'ethereum-cryptography/keccak.js'
import { devnetCommon, jsPeer } from './eth_peer.mjs'
import { work, log, check, run, start, waitFor, finish, join, readFileSync } from './common.mjs'

const dir = new URL('../data/chain-postmerge/', import.meta.url).pathname
const base = 25000 + Math.floor(Math.random() * 3000) * 2
const C = { GET_HEADERS: 3, HEADERS: 4, GET_BODIES: 5, BODIES: 6, NEW_BLOCK: 7, GET_RECEIPTS: 15, RECEIPTS: 16 }
const eq = (a, b) => a.length === b.length && a.every((x, i) => x === b[i])

async function main() {
  // chain.rlp as JS reads it: one block after the other.
  const file = readFileSync(join(dir, 'chain.rlp'))
  const blocks = []
  for (let rest = new Uint8Array(file); rest.length;) {
    const { data, remainder } = RLP.decode(rest, true)
    blocks.push(data)
    rest = remainder
  }
  check(blocks.length === 600, `chain.rlp holds ${blocks.length} blocks`)
  const headHash = JSON.parse(readFileSync(join(dir, 'headblock.json'), 'utf8')).hash

  await run(['key', 'generate', join(work, 'kN')])
  const N = await start('ethp2p-node', ['node', '--genesis', join(dir, 'genesis.json'), '--import', join(dir, 'chain.rlp'),
    '--datadir', join(work, 'n'), '--listenaddr', '127.0.0.1', '--port', String(base), '--nodiscover',
    '--events', '-', '--verbosity', '4', '--nodekey', join(work, 'kN')])
  const npub = N.first.match(/^enode:\/\/([0-9a-f]{128})@/)[1]
  const lines = N.rec.err.split('\n')
  const imp = lines.find((l) => l.includes('msg="chain import"')) ?? ''
  check(/imported=600 head=600/.test(imp), `import: ${imp.replace(/^.*msg=/, '')}`)
  const startLine = lines.find((l) => l.includes('msg="started"')) ?? ''
  const genesis = hexToBytes(startLine.match(/genesis=(0x[0-9a-f]{64})/)[1])
  const forkHash = startLine.match(/forkid=(0x[0-9a-f]{8})\//)[1]
  log(`node: genesis=${bytesToHex(genesis).slice(0, 14)}... forkid=${forkHash}`)

  const J = jsPeer(base + 1, 'd4'.repeat(32), devnetCommon(forkHash, 3503995874084926), genesis, undefined,
    intToBytes(131072), genesis)
  await J.rlpx.connect({ id: hexToBytes('0x' + npub), address: '127.0.0.1', tcpPort: base })
  check(await waitFor('JS status', () => J.statuses.length > 0, 5000), 'JS accepted our Status')
  const st = J.statuses[0]
  check(st && bytesToHex(st.bestHash) === headHash, `our Status names the head: ${st ? bytesToHex(st.bestHash) : '?'}`)
  check(st && bytesToBigInt(st.td) === 131072n, `eth/68 total difficulty: ${st ? bytesToBigInt(st.td) : '?'}`)
  const eth = J.eths[0]
  const answers = new Map()
  eth.events.on('message', (code, payload) => answers.set(`${code}:${bytesToBigInt(payload[0])}`, payload[1]))
  let nextId = 1
  async function ask(code, query) {
    const id = nextId++
    eth.sendMessage(code, [intToBytes(id), query])
    const key = `${code + 1}:${id}`
    if (!(await waitFor(`answer ${id}`, () => answers.has(key), 5000))) return null
    return answers.get(key)
  }

  // Every header by number, 192 a request, compared as RLP bytes.
  let same = 0
  for (let from = 1; from <= 600; from += 192) {
    const hs = await ask(C.GET_HEADERS, [intToBytes(from), intToBytes(192), new Uint8Array(), new Uint8Array()])
    if (!hs) break
    hs.forEach((h, i) => (same += eq(RLP.encode(h), RLP.encode(blocks[from - 1 + i][0])) ? 1 : 0))
  }
  check(same === 600, `headers 1..600 by number: ${same} byte for byte`)
  // By hash, reverse: the head and the four before it.
  const rev = await ask(C.GET_HEADERS, [hexToBytes(headHash), intToBytes(5), new Uint8Array(), intToBytes(1)])
  check(rev && rev.length === 5 && rev.every((h, i) => eq(RLP.encode(h), RLP.encode(blocks[599 - i][0]))),
    `headers by hash, reverse: ${rev ? rev.length : 0} from the head down`)
  check(rev && bytesToHex(keccak256(RLP.encode(rev[0]))) === headHash, 'the head header hashes to headblock.json\'s hash')

  // Every body, 100 hashes a request: [transactions, ommers, withdrawals] as the file has them.
  const hashes = blocks.map((b) => keccak256(RLP.encode(b[0])))
  let bodies = 0
  let withdrawals = 0
  for (let from = 0; from < 600; from += 100) {
    const bs = await ask(C.GET_BODIES, hashes.slice(from, from + 100))
    if (!bs) break
    bs.forEach((b, i) => {
      const want = blocks[from + i].slice(1)
      if (eq(RLP.encode(b), RLP.encode(want))) bodies++
      if (b.length === 3 && b[2].length) withdrawals++
    })
  }
  check(bodies === 600, `bodies 1..600: ${bodies} byte for byte`)
  check(withdrawals > 0, `bodies carry their withdrawals (${withdrawals} blocks with some)`)

  // Receipts: an empty list per block we hold without transactions; blocks with transactions are not held.
  const empty = blocks.filter((b) => b[1].length === 0).length
  const rs = await ask(C.GET_RECEIPTS, hashes)
  check(rs && rs.length === empty && rs.every((r) => r.length === 0),
    `receipts: ${rs ? rs.length : '?'} empty lists for the ${empty} blocks without transactions`)

  // A NewBlock after the merge: not taken (the head stays at 600, no block event).
  eth.sendMessage(C.NEW_BLOCK, [blocks[599], intToBytes(131072)])
  const again = await ask(C.GET_HEADERS, [intToBytes(600), intToBytes(2), new Uint8Array(), new Uint8Array()])
  check(again && again.length === 1, 'after a NewBlock the head is still block 600')
  const events = N.rec.out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l))
  check(!events.some((e) => e.event === 'block'), 'no block event: after the merge blocks come from the consensus layer')
  const bad = N.rec.err.split('\n').filter((l) => /dropping peer|Status refused/.test(l))
  for (const l of bad) log(`  ${l}`)
  check(bad.length === 0, 'we dropped nothing JS sent')
  J.rlpx.destroy()

  // The same chain over JSON-RPC, read by ethers: blocks in the reference's shape.
  const ipc = new IpcSocketProvider(join(work, 'n', 'ethp2p.ipc'))
  const ref = JSON.parse(readFileSync(join(dir, 'headblock.json'), 'utf8'))
  const head = await ipc.send('eth_getBlockByNumber', ['latest', false])
  const differ = Object.keys(ref).filter((k) => JSON.stringify(head?.[k]) !== JSON.stringify(ref[k]))
  check(head && differ.length === 0, `eth_getBlockByNumber("latest"): all ${Object.keys(ref).length} fields of headblock.json as the reference wrote them${differ.length ? ', differ: ' + differ.join(',') : ''}`)
  const eb = await ipc.getBlock('latest')
  check(eb && eb.number === 600 && eb.hash === headHash, `ethers' getBlock("latest"): number ${eb?.number}, hash ${eb?.hash?.slice(0, 12)}...`)
  // The block with the most transactions, and one with withdrawals (this chain has none with both).
  let i = 0
  blocks.forEach((b, k) => { if (b[1].length > blocks[i][1].length) i = k })
  const txHashOf = (t) => bytesToHex(keccak256(t instanceof Uint8Array ? t : RLP.encode(t)))
  const got = await ipc.send('eth_getBlockByNumber', ['0x' + (i + 1).toString(16), false])
  const want = blocks[i][1].map(txHashOf)
  check(got && want.length > 0 && JSON.stringify(got.transactions) === JSON.stringify(want) &&
    got.hash === bytesToHex(keccak256(RLP.encode(blocks[i][0]))), `block ${i + 1}: its ${want.length} transaction hashes as in chain.rlp`)
  const j = blocks.findIndex((b) => b[3]?.length > 0)
  const gw = await ipc.send('eth_getBlockByNumber', ['0x' + (j + 1).toString(16), false])
  const w0 = blocks[j][3][0]
  const q = (b) => '0x' + (bytesToBigInt(b)).toString(16)
  check(gw && gw.withdrawals.length === blocks[j][3].length && gw.withdrawals[0].index === q(w0[0]) &&
    gw.withdrawals[0].validatorIndex === q(w0[1]) && gw.withdrawals[0].address === bytesToHex(w0[2]) &&
    gw.withdrawals[0].amount === q(w0[3]), `block ${j + 1}: ${gw?.withdrawals.length} withdrawals, the first ${JSON.stringify(gw?.withdrawals[0])}`)
  const byHash = await ipc.send('eth_getBlockByHash', [headHash, false])
  check(byHash?.number === '0x258', 'eth_getBlockByHash(head): number 0x258')
  check(await ipc.send('eth_getBlockByNumber', ['0x259', false]) === null, 'a block we do not hold: null, as the reference answers')
  ipc.destroy()
}

main().catch((e) => check(false, `exception: ${e.stack}`)).finally(finish)
