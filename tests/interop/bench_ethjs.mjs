// The side-by-side half of `make bench`: the workloads of our benchmarks, run
// with @ethereumjs/devp2p on the same machine right after ours. It lives beside
// the interop peers because it uses the same pinned npm packages.
//
//   node bench_ethjs.mjs PATH-TO-ethp2p OUT.jsonl [--quick]
//
// Writes one JSON line per figure: {"name", "unit", "peer": {"name": "ethereumjs",
// "value"}} for a figure ours already has (same name as our row), or with "value"
// too where this script measures both stacks the same way (memory per idle peer:
// the same 1,000 JS clients connect to our `ethp2p rlpx listen`, then to a JS
// server). Every process it starts it ends by PID.
import { RLPx, ETH, encode as v4encode, decode as v4decode } from '@ethereumjs/devp2p'
import { Common, Mainnet } from '@ethereumjs/common'
import { bytesToHex, hexToBytes, intToBytes, utf8ToBytes } from '@ethereumjs/util'
import { devnetCommon } from './eth_peer.mjs'
import { secp256k1 } from 'ethereum-cryptography/secp256k1.js'
import { spawn } from 'node:child_process'
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'

// The chain both ends of a connection present in Status (ethjs drops a peer without one after
// 5 s): mainnet between JS peers; our devnet's, read from our node, where one end is ours.
const MAINNET_GENESIS = hexToBytes('0xd4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3')
let chain = { common: new Common({ chain: Mainnet }), genesis: MAINNET_GENESIS }
const chainArgs = () => (chain.forkHash ? [bytesToHex(chain.genesis), chain.forkHash] : ['mainnet'])
function setChain(args) {
  if (args[0] !== 'mainnet') chain = { common: devnetCommon(args[1], 1337), genesis: hexToBytes(args[0]), forkHash: args[1] }
}
const hex = (b) => bytesToHex(b).slice(2)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const now = () => Number(process.hrtime.bigint()) / 1e9
const keyHex = (i) => (i + 1).toString(16).padStart(64, '0')
const pubOf = (privHex) => secp256k1.getPublicKey(hexToBytes('0x' + privHex), false).slice(1)
const TX = 0x02 // eth Transactions: a sub-protocol message both sides pass through unchanged
const reportEvery = (size) => Math.max(1, Math.floor((256 << 10) / size)) // the reader reports every 256 KiB

// An RLPx node with eth/68 that sends its Status to every peer.
function rlpxNode(privHex, port, maxPeers = 10) {
  const r = new RLPx(hexToBytes('0x' + privHex), { capabilities: [ETH.eth68], common: chain.common, maxPeers,
    clientId: utf8ToBytes('ethereumjs-devp2p/bench') })
  r.events.on('error', () => {})
  r.events.on('peer:error', () => {})
  r.events.on('peer:added', (peer) => {
    try {
      peer.getProtocols()[0].sendStatus({ td: intToBytes(1), bestHash: chain.genesis, genesisHash: chain.genesis })
    } catch {}
  })
  if (port) r.listen(port, '127.0.0.1')
  return r
}

async function waitFor(fn, ms) {
  const end = Date.now() + ms
  while (Date.now() < end) {
    if (fn()) return true
    await sleep(5)
  }
  return false
}

// ---- child modes (a second process: the reader, or the idle-peer server) ----

// Reads messages and prints {got, bytes, seconds} (from the first) every 256 KiB, until ended.
async function childReader(port, privHex) {
  const r = rlpxNode(privHex, 0)
  let got = 0, bytes = 0, t0 = 0
  r.events.on('peer:added', (peer) => {
    const eth = peer.getProtocols()[0]
    eth.events.on('message', (code, payload) => {
      if (code !== TX) return
      if (!got) t0 = now()
      got++
      bytes += payload[0].length
      if (got % reportEvery(payload[0].length) === 0)
        process.stdout.write(JSON.stringify({ got, bytes, seconds: now() - t0 }) + '\n')
    })
  })
  r.events.on('peer:removed', (peer, reason) => process.stdout.write(JSON.stringify({ removed: String(reason) }) + '\n'))
  r.events.once('listening', () => process.stdout.write('ready\n'))
  r.listen(port, '127.0.0.1')
}

// Accepts peers; prints its RSS whenever asked on stdin.
function childServer(port, privHex) {
  const r = rlpxNode(privHex, 0, 2000)
  let peers = 0
  r.events.on('peer:added', () => peers++)
  r.events.on('peer:removed', () => peers--)
  process.stdin.on('data', () => {
    if (global.gc) global.gc()
    process.stdout.write(JSON.stringify({ peers, rss: process.memoryUsage().rss }) + '\n')
  })
  r.events.once('listening', () => process.stdout.write('ready\n'))
  r.listen(port, '127.0.0.1')
}

// ---- the parent ----

function startChild(args, opts = {}) {
  const child = spawn(opts.cmd ?? process.execPath, opts.cmd ? args : [...(opts.node ?? []), process.argv[1], ...args],
    { stdio: ['pipe', 'pipe', 'pipe'] })
  const rec = { child, out: '', err: '' }
  child.stdout.on('data', (d) => (rec.out += d))
  child.stderr.on('data', (d) => (rec.err += d))
  children.push(child)
  return rec
}
const children = []
function endChildren() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
}
process.on('exit', endChildren)

const lines = (rec) => rec.out.split('\n').filter((l) => l.trim())

// Handshakes per second, both sides in this process, one after another (as ours:
// both sides on one core over loopback TCP). A connection counts when the client
// has read the server's Hello (ours stops after auth/ack: one frame less each way).
async function handshakes(n, port) {
  const server = rlpxNode(keyHex(0), port, n + 10)
  const serverPub = pubOf(keyHex(0))
  const clients = []
  for (let i = 0; i < n; i++) clients.push(keyHex(1000 + i))
  let done = 0
  const t0 = now()
  for (const k of clients) {
    const c = rlpxNode(k, 0)
    let added = false
    c.events.on('peer:added', () => (added = true))
    await c.connect({ id: serverPub, address: '127.0.0.1', tcpPort: port })
    if (!(await waitFor(() => added, 5000))) throw new Error('handshake timed out')
    done++
    c.destroy()
  }
  const rate = done / (now() - t0)
  server.destroy()
  return rate
}

// MB/s of message data at a reader in another process, as Go's BenchmarkThroughput.
async function throughput(size, count, port) { // count: at most this many messages
  const reader = startChild(['--child-reader', String(port), keyHex(1), '0', ...chainArgs()])
  if (!(await waitFor(() => reader.out.includes('ready'), 10000))) throw new Error('reader did not start')
  const w = rlpxNode(keyHex(2), 0)
  let peer = null
  w.events.on('peer:added', (p) => (peer = p))
  await w.connect({ id: pubOf(keyHex(1)), address: '127.0.0.1', tcpPort: port })
  if (!(await waitFor(() => peer, 5000))) throw new Error('writer did not connect')
  const eth = peer.getProtocols()[0]
  const msg = randomBytes(size)
  // The writer stays at most 2 MiB ahead of what the reader has read (as a writer thread
  // blocks on a full socket): the JS reader is slower than the kernel's buffers are deep,
  // and a Pong queued behind more would come too late (it drops the writer, reason 0x0b).
  const window = Math.max(4, Math.floor((2 << 20) / size))
  const readSoFar = () => {
    const m = reader.out.match(/"got":(\d+)[^\n]*\n[^"]*$/)
    return m ? Number(m[1]) : 0
  }
  // At most 10 s of sending: the reader's first Ping is due at 15 s, and its Pong would
  // queue behind the flood (ethjs reads slower than it writes; see docs/benchmarks.md).
  let sent = 0
  const tStart = now()
  while (sent < count && now() - tStart < 10) {
    for (let k = 0; k < 16 && sent < count; k++, sent++) eth.sendMessage(TX, [msg])
    if (sent - readSoFar() > window) await sleep(1)
    else await new Promise((r) => setImmediate(r))
  }
  while (sent % reportEvery(size)) eth.sendMessage(TX, [msg]), sent++ // up to the reader's next report
  count = sent
  // The reader reports every 1,000 messages; it is done at `count`, or stuck if silent for 10 s.
  const reports = () => lines(reader).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l))
  let last = 0, lastAt = Date.now()
  while (true) {
    const rs = reports()
    const gone = rs.find((x) => x.removed)
    if (gone) throw new Error(`the reader dropped the writer: ${gone.removed}`)
    const top = rs.reduce((m, x) => Math.max(m, x.got ?? 0), 0)
    if (top >= count) break
    if (top !== last) (last = top), (lastAt = Date.now())
    else if (Date.now() - lastAt > 10000) throw new Error(`the reader stalled at ${top} of ${count} messages`)
    await sleep(20)
  }
  const r = reports().find((x) => x.got >= count)
  w.destroy()
  reader.child.kill('SIGTERM')
  return r.bytes / r.seconds / 1e6
}

// discv4 packets verified per second: decode = hash check + recover + RLP, as ours.
function discv4Verify(n) {
  const priv = hexToBytes('0x' + keyHex(7))
  const pkts = []
  for (let i = 0; i < 16; i++) {
    const data = { version: 4, from: { address: '127.0.0.1', udpPort: 30303, tcpPort: 30303 },
      to: { address: '127.0.0.2', udpPort: 30303 + i, tcpPort: 30303 }, timestamp: Math.floor(Date.now() / 1000) + 60 }
    pkts.push(v4encode('ping', data, priv, chain.common))
  }
  for (let i = 0; i < 200; i++) v4decode(pkts[i % 16], chain.common) // warm up
  const t0 = now()
  for (let i = 0; i < n; i++) {
    const m = v4decode(pkts[i % 16], chain.common)
    if (m.typename !== 'ping') throw new Error('decode failed')
  }
  return n / (now() - t0)
}

async function rssOf(pid) {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(s.match(/VmRSS:\s+(\d+)/)[1]) * 1024
}

// The same n JS clients connect to a server and stay idle; the server's RSS
// before and after, over n. The clients connect a few at a time.
async function idlePeers(n, port, serverPub, serverPid, askRss) {
  const before = await askRss()
  const clients = []
  let added = 0, removed = 0
  for (let i = 0; i < n; i++) {
    const c = rlpxNode(keyHex(5000 + i), 0)
    c.events.on('peer:added', () => added++)
    c.events.on('peer:removed', () => removed++)
    clients.push(c)
    await c.connect({ id: serverPub, address: '127.0.0.1', tcpPort: port })
    if (i % 8 === 7) await waitFor(() => added >= i - 8, 10000)
  }
  await waitFor(() => added >= n, 30000)
  await sleep(2000)
  const after = await askRss()
  const connected = added - removed
  for (const c of clients) c.destroy()
  await sleep(500)
  return { perPeer: (after - before) / n, connected }
}

async function main() {
  const args = process.argv.slice(2)
  if (args[0] === '--child-reader') return setChain(args.slice(4)), childReader(Number(args[1]), args[2])
  if (args[0] === '--child-server') return setChain(args.slice(3)), childServer(Number(args[1]), args[2])
  const [cli, outPath, quick] = [args[0], args[1], args[2] === '--quick']
  if (!cli || !outPath) {
    console.error('usage: node bench_ethjs.mjs PATH-TO-ethp2p OUT.jsonl [--quick]')
    process.exit(2)
  }
  writeFileSync(outPath, '')
  const base = 24000 + Math.floor(Math.random() * 2000) * 4
  const emit = (name, unit, peerValue, ours = undefined) => {
    const row = { name, unit, peer: { name: 'ethereumjs', value: peerValue } }
    if (ours !== undefined) row.value = ours
    appendFileSync(outPath, JSON.stringify(row) + '\n')
    const fmt = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(2))
    console.log(`  ${name.padEnd(62)} ethjs ${fmt(peerValue).padStart(10)} ${unit}` +
      (ours !== undefined ? `   ours ${fmt(ours)} ${unit}` : ''))
  }
  console.log('# @ethereumjs/devp2p 10.0.0 on the same machine, same workloads (node ' + process.version + ')')
  emit('discv4 packets verified (decode+hash+recover)', 'pkt/s', discv4Verify(quick ? 500 : 20000))
  emit('RLPx handshakes over loopback TCP (both sides)', 'hs/s', await handshakes(quick ? 20 : 500, base))
  emit('RLPx throughput 1 KiB, snappy (Go BenchmarkThroughput shape)', 'MB/s',
    await throughput(1024, quick ? 2000 : 100000, base + 1))
  emit('RLPx throughput 16 KiB, snappy', 'MB/s', await throughput(16384, quick ? 200 : 10000, base + 2))

  // Memory per idle connected peer: the same JS clients against our listener, then a JS server.
  const n = quick ? 50 : 1000
  const work = mkdtempSync(join(tmpdir(), 'ethp2p-bench-ethjs-'))
  try {
    // Ours: a node on its devnet (eth Status with each peer), discovery off.
    writeFileSync(join(work, 'k'), keyHex(3), { mode: 0o600 })
    const ours = startChild(['node', '--devnet', '--nodiscover', '--datadir', join(work, 'n'), '--nodekey', join(work, 'k'),
      '--listenaddr', '127.0.0.1', '--port', String(base + 3), '--maxpeers', String(Math.ceil(n * 1.5) + 50) /* a third of the slots are for dialing, as the reference */, '--verbosity', '3'], { cmd: cli })
    if (!(await waitFor(() => ours.err.includes('msg="started"'), 10000))) throw new Error('ethp2p node did not start: ' + ours.err)
    const started = ours.err.split('\n').find((l) => l.includes('msg="started"'))
    setChain([started.match(/genesis=(0x[0-9a-f]{64})/)[1], started.match(/forkid=(0x[0-9a-f]{8})\//)[1]])
    await sleep(500)
    const oursRes = await idlePeers(n, base + 3, pubOf(keyHex(3)), ours.child.pid, () => rssOf(ours.child.pid))
    ours.child.kill('SIGTERM')
    const js = startChild(['--child-server', String(base + 4), keyHex(4), ...chainArgs()], { node: ['--expose-gc'] })
    if (!(await waitFor(() => js.out.includes('ready'), 10000))) throw new Error('JS server did not start')
    let asked = 0
    const askJs = async () => {
      js.child.stdin.write('?\n')
      asked++
      await waitFor(() => lines(js).filter((l) => l.startsWith('{')).length >= asked, 10000)
      return JSON.parse(lines(js).filter((l) => l.startsWith('{'))[asked - 1]).rss
    }
    const jsRes = await idlePeers(n, base + 4, pubOf(keyHex(4)), js.child.pid, askJs)
    js.child.kill('SIGTERM')
    if (oursRes.connected < n || jsRes.connected < n)
      console.log(`  (connected: ours ${oursRes.connected} of ${n}, ethjs ${jsRes.connected} of ${n})`)
    emit(`RSS per idle connected peer, server with ${n} peers`, 'KiB', jsRes.perPeer / 1024, oursRes.perPeer / 1024)
  } finally {
    endChildren()
    rmSync(work, { recursive: true, force: true })
  }
  process.exit(0)
}

main().catch((e) => {
  console.error('bench_ethjs:', e.message)
  endChildren()
  process.exit(1)
})
