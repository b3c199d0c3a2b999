// JSON-RPC of `ethp2p node --devnet` driven by a real client, ethers v6, over the
// IPC socket (IpcSocketProvider) and HTTP (JsonRpcProvider), with an
// @ethereumjs/devp2p peer on loopback to add, watch and remove; then the
// metrics endpoint, and the shutdown as the peer sees it.
//
// Checks: the reference's method names, result shapes and error codes; modules
// per transport (--http.api); batches (ethers batches calls made together);
// peerEvents subscriptions over IPC; malformed JSON, oversized bodies, unknown
// methods, bad content types, foreign Host headers, CORS; /metrics counting the
// peer and the calls; SIGTERM: the peer gets "client quitting", exit 0 in < 5 s.
import { IpcSocketProvider, JsonRpcProvider, Wallet, Transaction, keccak256 as ekeccak } from 'ethers'
import { createConnection } from 'node:net'
import { request, Agent } from 'node:http'
import { devnetCommon, jsPeer } from './eth_peer.mjs'
import { bytesToHex, hexToBytes } from '@ethereumjs/util'
import { keccak256 } from 'ethereum-cryptography/keccak.js'
import { work, log, check, start, sleep, waitFor, finish, join } from './common.mjs'

const base = 26000 + Math.floor(Math.random() * 1500) * 3
const http = `http://127.0.0.1:${base + 1}/`
const post = (body, headers = { 'Content-Type': 'application/json' }, extra = {}) =>
  fetch(http, { method: 'POST', headers, body, ...extra })

// A raw IPC connection: lines in, parsed.
function ipcRaw(path) {
  const sock = createConnection(path)
  const lines = []
  let buf = ''
  sock.on('data', (d) => {
    buf += d
    let i
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buf.slice(0, i)))
      buf = buf.slice(i + 1)
    }
  })
  return { sock, lines, send: (o) => sock.write(typeof o === 'string' ? o : JSON.stringify(o)) }
}

async function main() {
  const N = await start('ethp2p-node', ['node', '--devnet', '--datadir', join(work, 'n'), '--listenaddr', '127.0.0.1',
    '--port', String(base), '--nodiscover', '--verbosity', '4', '--http', '--http.port', String(base + 1),
    '--http.api', 'eth,net,web3,txpool', '--http.corsdomain', 'https://app.example', '--metrics', '--metrics.port',
    String(base + 2)])
  const npub = N.first.match(/^enode:\/\/([0-9a-f]{128})@/)[1]
  const nid = bytesToHex(keccak256(hexToBytes('0x' + npub))).slice(2)
  const startLine = N.rec.err.split('\n').find((l) => l.includes('msg="started"')) ?? ''
  const genesis = hexToBytes(startLine.match(/genesis=(0x[0-9a-f]{64})/)[1])
  const forkHash = startLine.match(/forkid=(0x[0-9a-f]{8})\//)[1]
  const ipcPath = join(work, 'n', 'ethp2p.ipc')
  // The endpoints open just after the enode line is printed: wait for them (a slow run, Valgrind).
  check(await waitFor('IPC endpoint', () => N.rec.err.includes('msg="IPC endpoint opened"'), 20000), 'the IPC endpoint opened')
  check(await waitFor('HTTP endpoint', () => N.rec.err.includes('msg="HTTP endpoint opened"'), 20000), 'the HTTP endpoint opened')

  // ---- IPC with ethers ----
  const ipc = new IpcSocketProvider(ipcPath)
  const mods = await ipc.send('rpc_modules', [])
  check(['admin', 'eth', 'net', 'web3', 'txpool', 'ethp2p', 'rpc'].every((m) => mods[m] === '1.0'),
    `rpc_modules over IPC: ${JSON.stringify(mods)}`)
  const net = await ipc.getNetwork()
  check(net.chainId === 1337n, `ethers read the chain ID over IPC: ${net.chainId}`)
  const info = await ipc.send('admin_nodeInfo', [])
  check(info.id === nid && info.enode.startsWith(`enode://${npub}@`) && info.enr.startsWith('enr:') &&
    info.ports.listener === base && typeof info.protocols.eth === 'object', `admin_nodeInfo: id, enode, enr, ports, protocols`)
  check(await ipc.send('admin_datadir', []) === join(work, 'n'), 'admin_datadir is the data directory')
  check(await ipc.send('net_listening', []) === true, 'net_listening: true')
  check(await ipc.send('net_version', []) === '1337', 'net_version: "1337"')
  check(/^ethp2p\//.test(await ipc.send('web3_clientVersion', [])), 'web3_clientVersion names ethp2p')
  check(await ipc.send('web3_sha3', ['0x68656c6c6f']) === ekeccak('0x68656c6c6f'), 'web3_sha3 is Keccak-256 as ethers computes it')
  check(await ipc.send('eth_syncing', []) === false, 'eth_syncing: false')
  check(await ipc.getBlockNumber() === 0, 'eth_blockNumber: the devnet genesis')

  // peerEvents subscription (raw socket: ethers only routes eth_subscription).
  const sub = ipcRaw(ipcPath)
  sub.send({ jsonrpc: '2.0', id: 1, method: 'admin_subscribe', params: ['peerEvents'] })
  check(await waitFor('sub', () => sub.lines.length > 0, 3000) && /^0x[0-9a-f]{32}$/.test(sub.lines[0].result),
    `admin_subscribe("peerEvents") gave a subscription ID: ${JSON.stringify(sub.lines[0])}`)
  const subId = sub.lines[0]?.result
  const bad = ipcRaw(ipcPath)
  bad.send({ jsonrpc: '2.0', id: 2, method: 'admin_subscribe', params: ['blocks'] })
  check(await waitFor('bad sub', () => bad.lines.length > 0, 3000) && bad.lines[0].error?.code === -32601,
    `an unknown subscription is refused: ${JSON.stringify(bad.lines[0]?.error)}`)
  bad.send('{"jsonrpc":"2.0","id":3,"method":')
  bad.send('"net_version"}\n{"jsonrpc":"2.0","id":4,"method":"net_peerCount"}')
  check(await waitFor('split', () => bad.lines.length >= 3, 3000) && bad.lines[1].result === '1337' && bad.lines[2].result === '0x0',
    'IPC: a request split across writes and two in one write are both answered')
  // Braces and quotes inside strings do not end a request: a bracket '}' and an escaped quote in params.
  bad.send('{"jsonrpc":"2.0","id":7,"method":"web3_clientVersion","params":["}]\\"}{"]}{"jsonrpc":"2.0","id":8,"method":"net_version"}')
  check(await waitFor('braces', () => bad.lines.length >= 5, 3000) && bad.lines[3].id === 7 && /^ethp2p\//.test(bad.lines[3].result) &&
    bad.lines[4].id === 8, `IPC: brackets and an escaped quote inside a string do not end the request: ${JSON.stringify(bad.lines.slice(3, 5).map((l) => l.id))}`)
  bad.lines.splice(3, 2)
  bad.send('{"jsonrpc":"2.0","id":5,"method":[}')
  check(await waitFor('parse', () => bad.lines.length >= 4, 3000) && bad.lines[3].error?.code === -32700,
    'IPC: malformed JSON gets a parse error (-32700), then the socket closes')
  bad.sock.destroy()

  // A JS peer, added and removed over IPC; the subscription sees both.
  const common = devnetCommon(forkHash, 1337)
  const B = jsPeer(base + 3, 'b2'.repeat(32), common, genesis)
  const bid = bytesToHex(keccak256(B.pub)).slice(2)
  check(await ipc.send('admin_addPeer', [B.enode]) === true, 'admin_addPeer: true')
  check(await waitFor('peer', async () => (await ipc.send('admin_peers', [])).length === 1, 8000), 'the peer is in admin_peers')
  const peers = await ipc.send('admin_peers', [])
  check(peers[0]?.id === bid && peers[0]?.caps.includes('eth/68') && peers[0]?.network.inbound === false &&
    peers[0]?.network.static === true, `admin_peers entry: ${JSON.stringify(peers[0]?.network)}`)
  check(await ipc.send('net_peerCount', []) === '0x1', 'net_peerCount: 0x1')
  const events = () => sub.lines.filter((l) => l.method === 'admin_subscription' && l.params?.subscription === subId).map((l) => l.params.result)
  check(await waitFor('add ev', () => events().some((e) => e.type === 'add' && e.peer === bid), 3000),
    `peerEvents: "add" for the peer: ${JSON.stringify(events()[0])}`)
  check(await ipc.send('admin_addTrustedPeer', [B.enode]) === true && await ipc.send('admin_removeTrustedPeer', [B.enode]) === true,
    'admin_addTrustedPeer and admin_removeTrustedPeer: true')
  try {
    await ipc.send('admin_addPeer', ['enode://nothex@127.0.0.1:1'])
    check(false, 'a malformed enode is refused')
  } catch (e) {
    check(e.error?.code === -32602, `a malformed enode is refused: ${e.error?.code} ${e.error?.message}`)
  }

  // ---- HTTP with ethers ----
  const hp = new JsonRpcProvider(http, undefined, { batchMaxCount: 10 })
  const [bn, ver, cv, pool] = await Promise.all([hp.getBlockNumber(), hp.send('net_version', []),
    hp.send('web3_clientVersion', []), hp.send('txpool_status', [])])
  check(bn === 0 && ver === '1337' && /^ethp2p\//.test(cv) && pool.pending === '0x0',
    `four calls at once over HTTP (ethers batches them): ${bn} ${ver} ${pool.pending}`)
  const hm = await hp.send('rpc_modules', [])
  check(JSON.stringify(Object.keys(hm).sort()) === JSON.stringify(['eth', 'net', 'rpc', 'txpool', 'web3']),
    `rpc_modules over HTTP: only --http.api: ${JSON.stringify(hm)}`)
  // ethers knows the reference's "method not found" by its code and text: UNSUPPORTED_OPERATION.
  try {
    await hp.send('admin_peers', [])
    check(false, 'admin is not served over HTTP here')
  } catch (e) {
    check(e.code === 'UNSUPPORTED_OPERATION' && e.info?.error?.code === -32601,
      `admin_peers over HTTP without "admin" in --http.api: ${e.code} ${e.info?.error?.message}`)
  }
  try {
    await hp.send('no_such_method', [])
    check(false, 'an unknown method is refused')
  } catch (e) {
    check(e.code === 'UNSUPPORTED_OPERATION' && e.info?.error?.code === -32601, `unknown method: ${e.info?.error?.message}`)
  }
  const w = Wallet.createRandom()
  const signed = await w.signTransaction({ type: 2, chainId: 1337, nonce: 0, to: w.address, value: 1n, gasLimit: 21000n,
    maxFeePerGas: 2000000000n, maxPriorityFeePerGas: 1000000000n })
  const resp = await hp.broadcastTransaction(signed)
  check(resp.hash === Transaction.from(signed).hash, `eth_sendRawTransaction of an ethers-signed transaction: ${resp.hash.slice(0, 14)}...`)
  check((await hp.send('txpool_status', [])).pending === '0x1', 'txpool_status: 1 pending')
  try {
    await hp.broadcastTransaction(await w.signTransaction({ type: 2, chainId: 1, nonce: 1, to: w.address, value: 1n,
      gasLimit: 21000n, maxFeePerGas: 2000000000n, maxPriorityFeePerGas: 1000000000n }))
    check(false, 'a transaction for another chain is refused')
  } catch (e) {
    check(e.error?.code === -32000 || /chain/.test(String(e.message)), `a transaction for another chain is refused: ${e.error?.message ?? e.shortMessage}`)
  }

  // ---- HTTP, raw: what the reference answers to bad input ----
  const j = async (r) => ({ status: r.status, body: await r.text(), headers: r.headers })
  let r = await j(await post('{"jsonrpc":"2.0","id":1,"method":'))
  check(r.status === 200 && JSON.parse(r.body).error?.code === -32700, `malformed JSON: 200 with -32700 (${r.body})`)
  r = await j(await post('[]'))
  check(JSON.parse(r.body).error?.code === -32600 && /empty batch/.test(r.body), `empty batch: ${r.body}`)
  r = await j(await post(JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'net_version' }, 7, { jsonrpc: '2.0', method: 'net_version' },
    { jsonrpc: '2.0', id: 'x', method: 'nope' }])))
  const arr = JSON.parse(r.body)
  check(Array.isArray(arr) && arr.length === 3 && arr[0].result === '1337' && arr[1].error?.code === -32600 &&
    arr[2].id === 'x' && arr[2].error?.code === -32601, `a mixed batch: answers in order, the notification unanswered: ${r.body}`)
  r = await j(await post(JSON.stringify(Array.from({ length: 1001 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'net_version' })))))
  check(/batch too large/.test(r.body), 'a batch over 1,000 calls is refused')
  r = await j(await post('{"jsonrpc":"2.0","method":"net_version"}'))
  check(r.status === 200 && r.body === '', 'a notification gets an empty answer')
  // 6 MiB: refused from its Content-Length, before the body is read. With "Expect: 100-continue" (as curl
  // sends for large bodies) the client sees 413 before sending; without it, 413 or a reset, never an answer.
  const big = (expect) => new Promise((res) => {
    const headers = { 'Content-Type': 'application/json', 'Content-Length': 6 * 1024 * 1024 }
    if (expect) headers.Expect = '100-continue'
    const rq = request(http, { method: 'POST', headers }, (rs) => res(rs.statusCode))
    rq.on('error', () => res('reset'))
    if (expect) rq.on('continue', () => rq.end(Buffer.alloc(6 * 1024 * 1024, 0x20)))
    else rq.end(Buffer.alloc(6 * 1024 * 1024, 0x20))
  })
  const bigs = [await big(true), await big(false)]
  check(bigs[0] === 413 && (bigs[1] === 413 || bigs[1] === 'reset'), `a 6 MiB body: ${bigs[0]} (Expect: 100-continue), ${bigs[1]} (without)`)
  r = await j(await post('{}', { 'Content-Type': 'text/plain' }))
  check(r.status === 415, `text/plain: ${r.status}`)
  r = await j(await fetch(http, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{}' }))
  check(r.status === 405, `PUT: ${r.status}`)
  r = await j(await fetch(http))
  check(r.status === 200 && r.body === '', 'an empty GET (health check): 200')
  const withHost = (host) => new Promise((res) => {
    const rq = request(http, { method: 'POST', headers: { 'Content-Type': 'application/json', Host: host } }, (rs) => res(rs.statusCode))
    rq.on('error', (e) => res(String(e)))
    rq.end('{"jsonrpc":"2.0","id":1,"method":"net_version"}')
  })
  const hosts = [await withHost('evil.example'), await withHost('localhost:8545'), await withHost('127.0.0.1')]
  check(hosts[0] === 403 && hosts[1] === 200 && hosts[2] === 200,
    `Host headers (--http.vhosts localhost): evil.example ${hosts[0]}, localhost:8545 ${hosts[1]}, an IP ${hosts[2]}`)
  r = await j(await post('{"jsonrpc":"2.0","id":1,"method":"net_version"}', { 'Content-Type': 'application/json', Origin: 'https://app.example' }))
  check(r.headers.get('access-control-allow-origin') === 'https://app.example', 'CORS: an allowed origin is named back')
  r = await j(await post('{"jsonrpc":"2.0","id":1,"method":"net_version"}', { 'Content-Type': 'application/json', Origin: 'https://evil.example' }))
  check(r.headers.get('access-control-allow-origin') === null, 'CORS: another origin gets no header')
  const ka = await Promise.all(Array.from({ length: 20 }, (_, i) => post(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'eth_chainId' })).then((x) => x.json())))
  check(ka.every((x, i) => x.id === i && x.result === '0x539'), '20 requests at once: all answered')
  // Keep-alive: one connection carries five requests in turn.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const reused = []
  for (let i = 0; i < 5; i++) {
    reused.push(await new Promise((res) => {
      const rq = request(http, { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } }, (rs) => {
        rs.resume()
        rs.on('end', () => res(rq.reusedSocket))
      })
      rq.on('error', () => res('error'))
      rq.end(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'net_version' }))
    }))
  }
  agent.destroy()
  check(reused[0] === false && reused.slice(1).every((x) => x === true), `keep-alive: requests 2-5 reused the first connection: ${JSON.stringify(reused)}`)

  // ---- metrics ----
  const m = await (await fetch(`http://127.0.0.1:${base + 2}/metrics`)).text()
  check(/^ethp2p_peers\{direction="outbound"\} 1$/m.test(m), 'metrics: one outbound peer')
  check(/^ethp2p_peers_by_client\{client="ethereumjs-devp2p"\} 1$/m.test(m), 'metrics: the peer by client name')
  check(/^ethp2p_rpc_calls_total\{method="admin_addPeer",outcome="ok"\} 1$/m.test(m), 'metrics: RPC calls by method')
  check(/^ethp2p_messages_in_total\{protocol="eth\/68",code="0x00"\} 1$/m.test(m), 'metrics: the Status received, by protocol and code')

  // Remove the peer: the subscription sees it dropped.
  check(await ipc.send('admin_removePeer', [B.enode]) === true, 'admin_removePeer: true')
  check(await waitFor('drop ev', () => events().some((e) => e.type === 'drop' && e.peer === bid), 5000),
    `peerEvents: "drop": ${JSON.stringify(events().find((e) => e.type === 'drop'))}`)
  check(sub.lines.filter((l) => l.method === 'admin_subscription').every((l) => l.params.subscription === subId),
    'notifications carry our subscription ID only')

  // ---- shutdown: a peer connected to us sees "client quitting" ----
  B.rlpx.destroy()
  const C = jsPeer(base + 4, 'c3'.repeat(32), common, genesis)
  await C.rlpx.connect({ id: hexToBytes('0x' + npub), address: '127.0.0.1', tcpPort: base })
  check(await waitFor('C', async () => (await ipc.send('admin_peers', [])).length === 1, 5000), 'a second JS peer connected to us')
  ipc.destroy()
  sub.sock.destroy()
  const t0 = Date.now()
  const exited = new Promise((res) => N.child.on('exit', (code) => res(code)))
  N.child.kill('SIGTERM')
  const code = await Promise.race([exited, sleep(8000).then(() => 'timeout')])
  const took = Date.now() - t0
  check(code === 0 && took < 5000, `SIGTERM: exit ${code} after ${took} ms`)
  check(await waitFor('C removed', () => C.removed.length > 0, 3000) && C.removed[0].reason === 0x08 && C.removed[0].disconnectWe === false,
    `the peer was told "client quitting" (0x08): ${JSON.stringify(C.removed)}`)
  C.rlpx.destroy()
}

main()
  .catch((e) => check(false, `test crashed: ${e.stack}`))
  .finally(finish)
