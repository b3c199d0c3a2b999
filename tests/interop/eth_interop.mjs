// eth interop between `ethp2p node --devnet` and @ethereumjs/devp2p's ETH
// protocol (eth/68), on loopback.
//
//   JS RLPx A --connect--> ethp2p node N <--connect-- (N dials) JS RLPx B
//
// Checks: Status accepted both ways on a common network (our devnet: network
// 1337, its genesis and fork ID, given to JS as a custom chain); transactions
// from JS reach us (pushed in full, and announced then fetched from JS) and
// ours reach JS (pushed in full; a large one announced, then served to JS's
// GetPooledTransactions); blocks both ways (NewBlock, NewBlockHashes with the
// fetch of header and body, GetBlockHeaders/GetBlockBodies served); a JS peer
// speaking only eth/66 exchanges Status and has its announcement fetched; a JS peer
// on another network is refused with
// "subprotocol error" and JS understands why.
import { ETH } from '@ethereumjs/devp2p'
import { devnetCommon, jsPeer } from './eth_peer.mjs'
import { RLP } from '@ethereumjs/rlp'
import { bytesToHex, hexToBytes, intToBytes, utf8ToBytes } from '@ethereumjs/util'
import { keccak256 } from 'ethereum-cryptography/keccak.js'
import { secp256k1 } from 'ethereum-cryptography/secp256k1.js'
import { work, log, check, run, start, sleep, waitFor, finish, join, readFileSync } from './common.mjs'

const base = 22000 + Math.floor(Math.random() * 3000) * 3
const hex = (b) => bytesToHex(b).slice(2)
const C = { STATUS: 0, NEW_BLOCK_HASHES: 1, TX: 2, GET_HEADERS: 3, HEADERS: 4, GET_BODIES: 5, BODIES: 6, NEW_BLOCK: 7,
  ANNOUNCE: 8, GET_POOLED: 9, POOLED: 10 }

async function txs(key, count, nonce, datasize = 0) {
  const r = await run(['tx', 'make', '--key', key, '--count', String(count), '--nonce', String(nonce),
    '--datasize', String(datasize)])
  return r.out.trim().split('\n').map((l) => hexToBytes(l))
}
const txHash = (bin) => bytesToHex(keccak256(bin))

async function main() {
  await run(['key', 'generate', join(work, 'kN')])
  await run(['key', 'generate', join(work, 'sender')])
  const N = await start('ethp2p-node', ['node', '--devnet', '--datadir', join(work, 'n'), '--listenaddr', '127.0.0.1',
    '--port', String(base), '--nodiscover', '--events', '-', '--verbosity', '4', '--nodekey', join(work, 'kN'),
    '--http', '--http.port', String(base + 9), '--http.api', 'eth,net,web3,admin'])
  const npub = N.first.match(/^enode:\/\/([0-9a-f]{128})@/)[1]
  const startLine = N.rec.err.split('\n').find((l) => l.includes('msg="started"')) ?? ''
  const genesis = hexToBytes(startLine.match(/genesis=(0x[0-9a-f]{64})/)[1])
  const forkHash = startLine.match(/forkid=(0x[0-9a-f]{8})\//)[1]
  log(`node: ${N.first.slice(0, 40)}... genesis=${bytesToHex(genesis).slice(0, 12)}... forkid=${forkHash}`)
  const events = () => N.rec.out.split('\n').slice(1).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l))
  const common = devnetCommon(forkHash, 1337)

  // JS A connects to us; Status both ways.
  const A = jsPeer(base + 1, 'a1'.repeat(32), common, genesis)
  await A.rlpx.connect({ id: hexToBytes('0x' + npub), address: '127.0.0.1', tcpPort: base })
  check(await waitFor('JS status', () => A.statuses.length > 0, 5000), 'JS accepted our Status (network, genesis, fork ID)')
  const st = A.statuses[0]
  check(st && bytesToHex(st.genesisHash) === bytesToHex(genesis) && hex(st.forkId[0]) === forkHash.slice(2),
    `our Status as JS read it: genesis ok, forkHash=0x${st ? hex(st.forkId[0]) : '?'}`)
  check(await waitFor('our status', () => events().some((e) => e.event === 'status' && e.peer), 5000),
    'we accepted the JS Status')
  const ours = events().find((e) => e.event === 'status')
  check(ours?.version === 68 && ours?.network === 1337 && ours?.forkid === forkHash, `our view: ${JSON.stringify(ours)}`)
  const ethA = A.eths[0]

  // JS -> us, in full.
  const sender = join(work, 'sender')
  const [t1] = await txs(sender, 1, 0)
  ethA.sendMessage(C.TX, [t1])
  check(await waitFor('tx from JS', () => events().some((e) => e.event === 'tx' && e.hash === txHash(t1)), 3000),
    'a transaction pushed by JS reached us (Transactions)')
  const ev1 = events().find((e) => e.event === 'tx' && e.hash === txHash(t1))
  check(ev1?.how === 'broadcast' && ev1?.type === 2, `as broadcast from the JS peer: ${JSON.stringify(ev1)}`)

  // JS -> us, announced (eth/68: types, sizes, hashes); we fetch it from JS.
  const [t2] = await txs(sender, 1, 1)
  let served = false
  ethA.events.on('message', (code, payload) => {
    if (code !== C.GET_POOLED) return
    const [reqId, hashes] = payload
    const want = hashes.map((h) => bytesToHex(h))
    if (want.includes(txHash(t2))) {
      ethA.sendMessage(C.POOLED, [reqId, [t2]])
      served = true
    }
  })
  ethA.sendMessage(C.ANNOUNCE, [new Uint8Array([2]), [intToBytes(t2.length)], [keccak256(t2)]])
  check(await waitFor('fetch', () => served, 3000), 'we asked JS for the announced transaction (GetPooledTransactions)')
  check(await waitFor('tx2', () => events().some((e) => e.event === 'tx' && e.hash === txHash(t2) && e.how === 'fetched'), 3000),
    'the announced transaction reached us, fetched')

  // Us -> JS, in full (one peer: it is a direct peer); submitted over HTTP JSON-RPC this time.
  const [t3] = await txs(sender, 1, 2)
  const http = await fetch(`http://127.0.0.1:${base + 9}/`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_sendRawTransaction', params: [bytesToHex(t3)] }) }).then((r) => r.json())
  check(http.result === txHash(t3), `submitted over HTTP: ${JSON.stringify(http)}`)
  const peersHttp = await fetch(`http://127.0.0.1:${base + 9}/`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'admin_peers' }) }).then((r) => r.json())
  check(peersHttp.result?.length === 1 && peersHttp.result[0].caps.includes('eth/68') && peersHttp.result[0].network.inbound === true,
    `admin_peers over HTTP: ${JSON.stringify(peersHttp.result?.[0]?.network)}`)
  check(await waitFor('JS got t3', () => A.msgs.some((m) => m.code === C.TX && m.payload.some((t) => txHash(t) === txHash(t3))), 3000),
    'our transaction reached JS in full (Transactions)')

  // Us -> JS, a 5 KiB transaction: announced only; JS asks for it and we serve it.
  const [t4] = await txs(sender, 1, 3, 5000)
  await run(['rpc', '--ipc', join(work, 'n', 'ethp2p.ipc'), 'eth_sendRawTransaction', JSON.stringify([bytesToHex(t4)])])
  check(await waitFor('announce', () => A.msgs.some((m) => m.code === C.ANNOUNCE), 3000), 'a large transaction was announced to JS, not pushed')
  const ann = A.msgs.find((m) => m.code === C.ANNOUNCE)?.payload
  check(ann && ann[0][0] === 2 && Number(BigInt(bytesToHex(ann[1][0]))) === t4.length &&
    bytesToHex(ann[2][0]) === txHash(t4), `eth/68 announcement: type ${ann?.[0][0]}, size ${ann ? Number(BigInt(bytesToHex(ann[1][0]))) : '?'} (tx ${t4.length} bytes)`)
  ethA.sendMessage(C.GET_POOLED, [intToBytes(7), [keccak256(t4)]])
  check(await waitFor('pooled', () => A.msgs.some((m) => m.code === C.POOLED), 3000), 'we answered JS\'s GetPooledTransactions')
  const pooled = A.msgs.find((m) => m.code === C.POOLED)?.payload
  check(pooled && bytesToHex(pooled[0]) === '0x07' && pooled[1].length === 1 && txHash(pooled[1][0]) === txHash(t4),
    'PooledTransactions carried the request ID and the transaction')

  // We dial a JS peer (B) given as a static node: Status both ways again, outbound.
  const B = jsPeer(base + 2, 'b2'.repeat(32), common, genesis)
  const added = await run(['rpc', '--ipc', join(work, 'n', 'ethp2p.ipc'), 'admin_addPeer', JSON.stringify([B.enode])])
  check(added.code === 0, 'admin_addPeer accepted the JS enode')
  check(await waitFor('B status', () => B.statuses.length > 0, 8000), 'we dialled JS B; JS accepted our Status')
  // B learns the pool's transactions: announced to a new peer.
  check(await waitFor('B announce', () => B.msgs.some((m) => m.code === C.ANNOUNCE), 3000),
    'a new peer gets the pool announced')

  // Blocks (the devnet is before the merge). A chain file of 3 blocks made by our CLI.
  const chainFile = join(work, 'chain.rlp')
  await run(['chain', 'make', '--blocks', '3', '--out', chainFile])
  const blocks = []
  let rest = new Uint8Array(readFileSync(chainFile))
  while (rest.length) {
    const { data, remainder } = RLP.decode(rest, true)
    blocks.push(data)
    rest = remainder
  }
  const blockHash = (blk) => bytesToHex(keccak256(RLP.encode(blk[0])))
  log(`chain file: ${blocks.length} blocks, first ${blockHash(blocks[0]).slice(0, 12)}...`)
  const ethB = B.eths[0]
  // JS A -> us: NewBlock(1). We import it and pass it on to B in full (B is the only peer without it).
  ethA.sendMessage(C.NEW_BLOCK, [blocks[0], intToBytes(2 * 131072)])
  check(await waitFor('block 1', () => events().some((e) => e.event === 'block' && e.number === 1), 3000),
    'a NewBlock from JS extended our chain')
  const b1 = events().find((e) => e.event === 'block' && e.number === 1)
  check(b1?.hash === blockHash(blocks[0]) && b1?.how === 'broadcast', `block event: ${JSON.stringify(b1)}`)
  check(await waitFor('B NewBlock', () => B.msgs.some((m) => m.code === C.NEW_BLOCK &&
    bytesToHex(keccak256(RLP.encode(m.payload[0][0]))) === blockHash(blocks[0])), 3000), 'we passed the block on to JS B (NewBlock)')
  // JS A -> us: NewBlockHashes(2). We ask A for its header and body, then import it.
  ethA.events.on('message', (code, payload) => {
    if (code === C.GET_HEADERS) ethA.sendMessage(C.HEADERS, [payload[0], [blocks[1][0]]])
    if (code === C.GET_BODIES) ethA.sendMessage(C.BODIES, [payload[0], [[blocks[1][1], blocks[1][2]]]])
  })
  ethA.sendMessage(C.NEW_BLOCK_HASHES, [[keccak256(RLP.encode(blocks[1][0])), intToBytes(2)]])
  check(await waitFor('block 2', () => events().some((e) => e.event === 'block' && e.number === 2 && e.how === 'fetched'), 3000),
    'an announced block (NewBlockHashes) was fetched from JS and imported')
  // Us -> both JS peers: block 3 submitted over RPC; two peers lack it: one NewBlock, one NewBlockHashes.
  const hex3 = bytesToHex(RLP.encode(blocks[2]))
  const sb = await run(['rpc', '--ipc', join(work, 'n', 'ethp2p.ipc'), 'ethp2p_submitBlock', JSON.stringify([hex3])])
  check(sb.code === 0, `block 3 submitted: ${sb.out.trim()}`)
  const got = (js, code) => js.msgs.some((m) => m.code === code && (code === C.NEW_BLOCK
    ? bytesToHex(keccak256(RLP.encode(m.payload[0][0]))) === blockHash(blocks[2])
    : m.payload.some(([h]) => bytesToHex(h) === blockHash(blocks[2]))))
  check(await waitFor('block 3 out', () => (got(A, C.NEW_BLOCK) && got(B, C.NEW_BLOCK_HASHES)) ||
    (got(B, C.NEW_BLOCK) && got(A, C.NEW_BLOCK_HASHES)), 3000), 'block 3 reached one JS peer in full and the other as a hash')
  // JS asks us for headers 1..3 and a body.
  ethB.sendMessage(C.GET_HEADERS, [intToBytes(11), [intToBytes(1), intToBytes(3), new Uint8Array(), new Uint8Array()]])
  ethB.sendMessage(C.GET_BODIES, [intToBytes(12), [keccak256(RLP.encode(blocks[1][0]))]])
  check(await waitFor('headers', () => B.msgs.some((m) => m.code === C.HEADERS) && B.msgs.some((m) => m.code === C.BODIES), 3000),
    'we answered GetBlockHeaders and GetBlockBodies')
  const hs = B.msgs.find((m) => m.code === C.HEADERS)?.payload
  check(hs && bytesToHex(hs[0]) === '0x0b' && hs[1].length === 3 &&
    hs[1].every((h, i) => bytesToHex(keccak256(RLP.encode(h))) === blockHash(blocks[i])), 'BlockHeaders: blocks 1..3 in order')
  const bs = B.msgs.find((m) => m.code === C.BODIES)?.payload
  check(bs && bs[1].length === 1 && bytesToHex(RLP.encode(bs[1][0])) === bytesToHex(RLP.encode([blocks[1][1], blocks[1][2]])),
    'BlockBodies: the body of block 2')

  // An older peer: JS speaking only eth/66. Status at 66; its announcement is hashes only
  // (no types or sizes); we fetch it with a request ID and it arrives.
  const D = jsPeer(base + 4, 'd4'.repeat(32), common, genesis, ETH.eth66)
  await D.rlpx.connect({ id: hexToBytes('0x' + npub), address: '127.0.0.1', tcpPort: base })
  check(await waitFor('D status', () => D.statuses.length > 0, 5000) &&
    await waitFor('our 66', () => events().some((e) => e.event === 'status' && e.version === 66), 3000),
    'eth/66: Status accepted both ways')
  const ethD = D.eths[0]
  const [t5] = await txs(sender, 1, 4)
  ethD.events.on('message', (code, payload) => {
    if (code === C.GET_POOLED) ethD.sendMessage(C.POOLED, [payload[0], [t5]])
  })
  ethD.sendMessage(C.ANNOUNCE, [keccak256(t5)])
  check(await waitFor('t5', () => events().some((e) => e.event === 'tx' && e.hash === txHash(t5) && e.how === 'fetched'), 3000),
    'eth/66: an announced hash (no type or size) was fetched from JS')
  D.rlpx.destroy()

  // A JS peer on another network: refused with "subprotocol error" (0x10), understood by JS.
  const X = jsPeer(base + 3, 'c3'.repeat(32), devnetCommon(forkHash, 5), genesis)
  await X.rlpx.connect({ id: hexToBytes('0x' + npub), address: '127.0.0.1', tcpPort: base })
  check(await waitFor('X removed', () => X.removed.length > 0, 5000), 'a peer on another network is dropped')
  log(`JS X saw: ${JSON.stringify(X.removed)}`)
  const drop = events().find((e) => e.event === 'peer_dropped' && e.reason === 'subprotocol error')
  check(drop !== undefined, `we dropped it with: ${drop ? drop.reason : 'nothing'}`)
  check(X.removed.some((r) => r.reason === 0x10 && r.disconnectWe === false),
    'JS understood the disconnect: subprotocol error (0x10), chosen by us')

  // Our log: no eth message from JS dropped as malformed.
  const bad = N.rec.err.split('\n').filter((l) => /dropping peer|Status refused/.test(l))
  log(`our log: ${bad.length} peer drops: ${bad.map((l) => l.match(/why="([^"]*)"/)?.[1]).join('; ')}`)
  check(bad.every((l) => /network ID|Status refused/.test(l)), 'no JS peer dropped for malformed messages')
  for (const js of [A, B, X]) js.rlpx.destroy()
}

main()
  .catch((e) => check(false, `test crashed: ${e.stack}`))
  .finally(finish)
