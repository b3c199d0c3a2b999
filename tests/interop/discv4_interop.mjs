// discv4 interop between ethp2p and @ethereumjs/devp2p's DPT, on loopback.
//
//   JS node J1 --bootstrap--> ethp2p bootnode B <--bootstrap-- JS node J2
//   ethp2p bootnode O --bootnodes J1-->  (finds J2 and B through J1)
//
// Checks: J1 and J2 find B (our Pong/Ping are understood); J2 finds J1 through
// B's Neighbours (our FindNode answers are understood); O finds J2 through J1
// (their Neighbours are understood, even over 1280 bytes); ping both ways;
// ENRRequest from a JS-built packet gets our verified record; our requestenr
// to a JS node fails clearly (it has no EIP-868).
import { DPT } from '@ethereumjs/devp2p'
import { RLP } from '@ethereumjs/rlp'
import { bytesToHex, hexToBytes, concatBytes, intToBytes, bytesToInt } from '@ethereumjs/util'
import { keccak256 } from 'ethereum-cryptography/keccak.js'
import { secp256k1 } from 'ethereum-cryptography/secp256k1.js'
import dgram from 'node:dgram'
import { cli, work, log, check, run, start, sleep, waitFor, keyFile, finish, readFileSync, join } from './common.mjs'

// Below the kernel's ephemeral range (32768+), so no outgoing socket can hold our ports.
const base = 21000 + Math.floor(Math.random() * 2500) * 4
const hex = (b) => bytesToHex(b).slice(2)
const idOf = (pub64) => hex(keccak256(pub64))

function jsNode(name, port, privHex) {
  const priv = hexToBytes('0x' + privHex)
  const dpt = new DPT(priv, {
    endpoint: { address: '127.0.0.1', udpPort: port, tcpPort: port },
    refreshInterval: 2000, // a findneighbours to each peer every 2 s
    timeout: 2000,
  })
  dpt.events.on('error', () => {}) // timeouts and bans are normal here
  dpt.bind(port, '127.0.0.1')
  const pub = secp256k1.getPublicKey(priv, false).slice(1)
  const enode = `enode://${hex(pub)}@127.0.0.1:${port}`
  log(`${name}: ${enode.slice(0, 40)}...`)
  return { name, dpt, priv, pub, enode, port }
}

const hasPeer = (js, pubHex) => js.dpt.getPeers().some((p) => hex(p.id) === pubHex)
const parseEnode = (url) => {
  const m = url.match(/^enode:\/\/([0-9a-f]{128})@([0-9.]+):(\d+)/)
  return { pub: m[1], address: m[2], port: Number(m[3]) }
}

// Builds a signed discv4 packet: hash || sig || type || rlp(data).
function packet(priv, type, data) {
  const body = concatBytes(Uint8Array.from([type]), RLP.encode(data))
  const sig = secp256k1.sign(keccak256(body), priv)
  const sigBytes = concatBytes(sig.toCompactRawBytes(), Uint8Array.from([sig.recovery]))
  const rest = concatBytes(sigBytes, body)
  return concatBytes(keccak256(rest), rest)
}

async function enrRequestFromJs(js, target) {
  // Bond first through the DPT (it pings; it answers our ping-back), then ask
  // from a second socket at the same IP: the endpoint proof is per node ID and IP.
  await js.dpt.addPeer({ address: target.address, udpPort: target.port }).catch(() => {})
  await sleep(800)
  const sock = dgram.createSocket('udp4')
  await new Promise((r) => sock.bind(0, '127.0.0.1', r))
  const exp = intToBytes(Math.floor(Date.now() / 1000) + 20)
  const req = packet(js.priv, 0x05, [exp])
  const reqHash = req.slice(0, 32)
  const reply = new Promise((resolve) => {
    const t = setTimeout(() => resolve(null), 3000)
    sock.on('message', (msg) => {
      if (msg[97] !== 0x06) return
      clearTimeout(t)
      resolve(new Uint8Array(msg))
    })
  })
  sock.send(req, target.port, target.address)
  const msg = await reply
  sock.close()
  if (!msg) return { ok: false, why: 'no ENRResponse' }
  const hashOk = hex(keccak256(msg.slice(32))) === hex(msg.slice(0, 32))
  const [replyTok, rec] = RLP.decode(msg.slice(98))
  const tokOk = hex(replyTok) === hex(reqHash)
  // EIP-778 v4: signature over keccak256(rlp([seq, k, v, ...])) by the secp256k1 key.
  const [sig, ...content] = rec
  const kv = {}
  for (let i = 1; i < content.length; i += 2) kv[new TextDecoder().decode(content[i])] = content[i + 1]
  const pubC = kv['secp256k1']
  const sigOk = secp256k1.verify(sig, keccak256(RLP.encode(content)), pubC)
  const full = secp256k1.ProjectivePoint.fromHex(pubC).toRawBytes(false).slice(1)
  return {
    ok: hashOk && tokOk && sigOk && hex(full) === target.pub,
    why: `hash=${hashOk} token=${tokOk} signature=${sigOk}`,
    seq: bytesToInt(content[0]),
    ip: kv['ip'] ? [...kv['ip']].join('.') : undefined,
    udp: kv['udp'] ? bytesToInt(kv['udp']) : undefined,
  }
}

async function main() {
  await run(['key', 'generate', join(work, 'kB')])
  await run(['key', 'generate', join(work, 'kO')])
  const B = await start('ethp2p-bootnode-B', ['bootnode', '--nodekey', join(work, 'kB'), '--addr', `127.0.0.1:${base}`, '--verbosity', '4'])
  const b = parseEnode(B.first)
  log(`B: ${B.first.slice(0, 40)}...`)

  const J1 = jsNode('J1', base + 1, 'aa'.repeat(32))
  const J2 = jsNode('J2', base + 2, 'bb'.repeat(32))
  await J1.dpt.bootstrap({ address: '127.0.0.1', udpPort: base })
  await J2.dpt.bootstrap({ address: '127.0.0.1', udpPort: base })
  check(await waitFor('J1 has B', () => hasPeer(J1, b.pub), 5000), 'JS node J1 discovered our bootnode B (Ping/Pong understood)')
  check(await waitFor('J2 has B', () => hasPeer(J2, b.pub), 5000), 'JS node J2 discovered our bootnode B')
  check(await waitFor('J2 has J1', () => hasPeer(J2, hex(J1.pub)) && hasPeer(J1, hex(J2.pub)), 20000),
    'J1 and J2 found each other through B (our Neighbours understood)')

  // Our node O joins through J1 only, and must find B and J2 from J1's Neighbours.
  const O = await start('ethp2p-bootnode-O', ['bootnode', '--nodekey', join(work, 'kO'), '--addr', `127.0.0.1:${base + 3}`,
    '--bootnodes', J1.enode, '--verbosity', '4', '--status', '1s'])
  const o = parseEnode(O.first)
  check(await waitFor('J1 has O', () => hasPeer(J1, o.pub), 8000), 'J1 added our node O after O pinged it')
  const crawl = await run(['discv4', 'crawl', '--bootnodes', J1.enode, '--timeout', '20s', join(work, 'nodes.json')], { timeout: 40000 })
  const nodes = JSON.parse(readFileSync(join(work, 'nodes.json'), 'utf8'))
  const ids = Object.keys(nodes)
  check(ids.includes(idOf(J1.pub)) && ids.includes(idOf(J2.pub)), 'crawl through J1 found both JS nodes')
  check(ids.includes(idOf(hexToBytes('0x' + b.pub))) && ids.includes(idOf(hexToBytes('0x' + o.pub))),
    'crawl through J1 found our nodes B and O (from JS Neighbours)')
  check(nodes[idOf(J2.pub)]?.record?.startsWith('enode://'), 'JS nodes (no EIP-868) are kept with their enode URL')
  check(nodes[idOf(hexToBytes('0x' + b.pub))]?.record?.startsWith('enr:'), 'our nodes are listed with their ENR')
  log(`crawl: ${crawl.err.trim().split('\n').pop()}`)

  // Ping both ways.
  const ping = await run(['discv4', 'ping', J2.enode, '--timeout', '3s'])
  check(ping.code === 0 && ping.out.startsWith('pong from'), `ethp2p discv4 ping -> JS node: ${ping.out.trim() || ping.err.trim()}`)
  const jsPing = await J2.dpt._server.ping({ address: '127.0.0.1', udpPort: base + 3 }).then(() => true, () => false)
  check(jsPing, 'JS ping -> our node O answered')

  // ENR both ways: a JS-built ENRRequest gets our record; ours to a JS node fails clearly.
  const enr = await enrRequestFromJs(J2, b)
  check(enr.ok && enr.ip === '127.0.0.1' && enr.udp === base, `ENRRequest built with JS libraries: record verified (${enr.why}, seq=${enr.seq})`)
  const req = await run(['discv4', 'requestenr', J1.enode, '--timeout', '3s'])
  check(req.code === 1 && req.err.includes('EIP-868'), `ethp2p discv4 requestenr -> JS node fails clearly: ${req.err.trim()}`)
  const reqOurs = await run(['discv4', 'requestenr', B.first, '--timeout', '3s'])
  check(reqOurs.code === 0 && reqOurs.out.startsWith('enr:'), 'ethp2p discv4 requestenr -> our bootnode works')

  // O's table should now hold the JS nodes too (its status line).
  await sleep(1500)
  const statusLines = O.rec.err.split('\n').filter((l) => l.includes('msg="status"'))
  const last = statusLines.pop() ?? ''
  log(`O status: ${last.replace(/^.*msg="status" /, '')}`)
  check(/table=([3-9]|\d\d)/.test(last), "our node O's table holds the JS nodes and B")
  J1.dpt.destroy()
  J2.dpt.destroy()
}

main()
  .catch((e) => check(false, `test crashed: ${e.stack}`))
  .finally(finish)
