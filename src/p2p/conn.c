/*
 * One RLPx connection as a state machine. Received bytes accumulate in a
 * bounded buffer; complete handshake messages and frames are consumed from
 * its front. Every check runs before the work it guards: a frame's MAC before
 * decryption, a message's decoded size before decompression, the remote's
 * Hello before any sub-protocol traffic.
 */
#include "ethp2p/conn.h"
#include "ethp2p/log.h"

#include <stdlib.h>
#include <string.h>

#define LOG_MOD "rlpx"
#define NEVER UINT64_MAX
/* The most we buffer from a peer: one maximal frame plus its header and MAC. */
#define RECV_LIMIT ((size_t)ETHP2P_RLPX_MAX_FRAME_SIZE + 64)

struct ethp2p_conn {
    ethp2p_conn_config cfg;
    int state;
    ethp2p_rlpx_handshake hs;
    ethp2p_rlpx_frame_codec codec;
    ethp2p_buffer in, out, scratch;
    size_t pending_body;     /* body length of a frame whose header was read, 0 if none */
    size_t pending_size;
    ethp2p_hello remote_hello;
    int remote_hello_seen, sent_hello;
    int snappy;
    ethp2p_shared_cap shared[ETHP2P_CONN_MAX_PROTOCOLS];
    size_t nshared;
    uint64_t deadline;       /* handshake/Hello deadline */
    uint64_t last_read, next_ping;
    size_t accounted;        /* bytes counted in cfg.budget */
};

/* Brings the shared budget up to date with what this connection holds. */
static void account(ethp2p_conn *c)
{
    if (!c->cfg.budget) return;
    c->cfg.budget->used = c->cfg.budget->used - c->accounted + c->in.len;
    c->accounted = c->in.len;
}

static void close_conn(ethp2p_conn *c, int reason, int by_remote)
{
    if (c->state == ETHP2P_CONN_CLOSED) return;
    c->state = ETHP2P_CONN_CLOSED;
    if (c->cfg.on_close) c->cfg.on_close(c->cfg.ctx, reason, by_remote);
}

ethp2p_conn *ethp2p_conn_new(const ethp2p_conn_config *cfg, uint64_t now_ms)
{
    if (!cfg->send || cfg->nprotocols > ETHP2P_CONN_MAX_PROTOCOLS) return NULL;
    ethp2p_conn *c = calloc(1, sizeof(*c));
    if (!c) return NULL;
    c->cfg = *cfg;
    if (ethp2p_rlpx_handshake_init(&c->hs, cfg->initiator, &cfg->key, cfg->initiator ? &cfg->remote : NULL)) {
        free(c);
        return NULL;
    }
    ethp2p_buffer_init(&c->in, RECV_LIMIT);
    ethp2p_buffer_init(&c->out, 0);
    ethp2p_buffer_init(&c->scratch, 0);
    c->state = ETHP2P_CONN_HANDSHAKE;
    c->deadline = now_ms + ETHP2P_CONN_HANDSHAKE_TIMEOUT_MS;
    c->next_ping = NEVER;
    return c;
}

void ethp2p_conn_free(ethp2p_conn *c)
{
    if (!c) return;
    c->in.len = 0;
    account(c);
    ethp2p_buffer_clear(&c->in);
    ethp2p_buffer_clear(&c->out);
    ethp2p_buffer_clear(&c->scratch);
    free(c);
}

int ethp2p_conn_state(const ethp2p_conn *c) { return c->state; }
const ethp2p_hello *ethp2p_conn_remote_hello(const ethp2p_conn *c) { return &c->remote_hello; }
const ethp2p_pubkey *ethp2p_conn_remote_key(const ethp2p_conn *c) { return &c->hs.remote_static; }
size_t ethp2p_conn_buffered(const ethp2p_conn *c) { return c->in.len; }

int ethp2p_conn_snappy(const ethp2p_conn *c) { return c->snappy; }
size_t ethp2p_conn_shared(const ethp2p_conn *c, const ethp2p_shared_cap **caps)
{
    *caps = c->shared;
    return c->nshared;
}

/* Frames and sends one message (code absolute); compression as negotiated. */
static int send_msg(ethp2p_conn *c, uint64_t code, const uint8_t *data, size_t len, int compress)
{
    ethp2p_buffer_reset(&c->scratch);
    ethp2p_buffer_reset(&c->out);
    int rc = ethp2p_p2p_msg_encode(code, data, len, compress, &c->scratch);
    if (!rc) rc = ethp2p_rlpx_frame_write(&c->codec, c->scratch.data, c->scratch.len, &c->out);
    if (rc) return rc;
    c->cfg.send(c->cfg.ctx, c->out.data, c->out.len);
    return 0;
}

void ethp2p_conn_disconnect(ethp2p_conn *c, int reason)
{
    if (c->state == ETHP2P_CONN_CLOSED) return;
    if (c->state >= ETHP2P_CONN_HELLO) {
        ethp2p_buffer payload;
        ethp2p_buffer_init(&payload, 0);
        if (ethp2p_disconnect_encode(reason, &payload) == 0)
            (void)send_msg(c, ETHP2P_P2P_DISCONNECT, payload.data, payload.len, c->snappy);
        ethp2p_buffer_clear(&payload);
    }
    ETHP2P_DEBUG(LOG_MOD, "disconnecting", "reason=\"%s\" state=%d", ethp2p_disconnect_reason_name(reason), c->state);
    close_conn(c, reason, 0);
}

void ethp2p_conn_abort(ethp2p_conn *c, int reason) { close_conn(c, reason, 1); }

static int send_hello(ethp2p_conn *c)
{
    ethp2p_hello h;
    memset(&h, 0, sizeof(h));
    h.version = ETHP2P_P2P_VERSION;
    snprintf(h.name, sizeof(h.name), "%s", c->cfg.client_name ? c->cfg.client_name : "ethp2p");
    for (size_t i = 0; i < c->cfg.nprotocols && i < ETHP2P_P2P_MAX_CAPS; i++) {
        snprintf(h.caps[i].name, sizeof(h.caps[i].name), "%s", c->cfg.protocols[i].name);
        h.caps[i].version = c->cfg.protocols[i].version;
        h.ncaps++;
    }
    h.listen_port = c->cfg.listen_port;
    int rc = ethp2p_privkey_to_pubkey(&c->cfg.key, &h.id);
    ethp2p_buffer payload;
    ethp2p_buffer_init(&payload, 0);
    if (!rc) rc = ethp2p_hello_encode(&h, &payload);
    if (!rc) rc = send_msg(c, ETHP2P_P2P_HELLO, payload.data, payload.len, 0); /* Hello is never compressed */
    ethp2p_buffer_clear(&payload);
    c->sent_hello = 1;
    return rc;
}

static void enter_hello(ethp2p_conn *c, uint64_t now)
{
    ethp2p_rlpx_secrets s;
    if (ethp2p_rlpx_secrets_derive(&c->hs, &s)) {
        close_conn(c, ETHP2P_DISC_PROTOCOL_ERROR, 0);
        return;
    }
    ethp2p_rlpx_frame_init(&c->codec, &s);
    memset(&s, 0, sizeof(s));
    c->state = ETHP2P_CONN_HELLO;
    c->deadline = now + ETHP2P_CONN_HANDSHAKE_TIMEOUT_MS;
    c->last_read = now;
    if (send_hello(c)) close_conn(c, ETHP2P_DISC_NETWORK_ERROR, 0);
}

int ethp2p_conn_start(ethp2p_conn *c, uint64_t now_ms)
{
    if (!c->cfg.initiator) return 0;
    uint8_t buf[2 + ETHP2P_RLPX_MAX_HANDSHAKE];
    size_t len;
    int rc = ethp2p_rlpx_auth_write(&c->hs, buf, &len);
    if (rc) return rc;
    c->cfg.send(c->cfg.ctx, buf, len);
    return 0;
}

static void consume(ethp2p_conn *c, size_t n)
{
    memmove(c->in.data, c->in.data + n, c->in.len - n);
    c->in.len -= n;
}

/* The remote's Hello: identity, version, capabilities, then the owner's say. */
static void handle_hello(ethp2p_conn *c, const uint8_t *data, size_t len, uint64_t now)
{
    int rc = ethp2p_hello_decode(data, len, &c->remote_hello);
    if (rc == ETHP2P_EKEY) {
        ethp2p_conn_disconnect(c, ETHP2P_DISC_NULL_IDENTITY);
        return;
    }
    if (rc) {
        ETHP2P_DEBUG(LOG_MOD, "bad hello", "err=\"%s\"", ethp2p_strerror(rc));
        ethp2p_conn_disconnect(c, ETHP2P_DISC_PROTOCOL_ERROR);
        return;
    }
    ethp2p_pubkey ours;
    (void)!ethp2p_privkey_to_pubkey(&c->cfg.key, &ours);
    if (memcmp(c->remote_hello.id.b, ours.b, 64) == 0) {
        ethp2p_conn_disconnect(c, ETHP2P_DISC_SELF);
        return;
    }
    if (memcmp(c->remote_hello.id.b, c->hs.remote_static.b, 64) != 0) {
        ethp2p_conn_disconnect(c, ETHP2P_DISC_UNEXPECTED_IDENTITY);
        return;
    }
    c->nshared = ethp2p_caps_match(c->cfg.protocols, c->cfg.nprotocols, c->remote_hello.caps, c->remote_hello.ncaps,
                                   c->shared, ETHP2P_CONN_MAX_PROTOCOLS);
    if (c->nshared == 0 && c->cfg.nprotocols > 0) {
        ethp2p_conn_disconnect(c, ETHP2P_DISC_USELESS_PEER);
        return;
    }
    c->remote_hello_seen = 1;
    c->snappy = c->remote_hello.version >= ETHP2P_P2P_SNAPPY_VERSION;
    if (c->cfg.on_hello) {
        int reason = c->cfg.on_hello(c->cfg.ctx, &c->remote_hello);
        if (reason) {
            ethp2p_conn_disconnect(c, reason);
            return;
        }
    }
    c->state = ETHP2P_CONN_ACTIVE;
    c->deadline = NEVER;
    c->next_ping = now + ETHP2P_CONN_PING_INTERVAL_MS;
    if (c->cfg.on_active) c->cfg.on_active(c->cfg.ctx);
}

static void handle_message(ethp2p_conn *c, const uint8_t *msg, size_t len, uint64_t now)
{
    uint64_t code;
    const uint8_t *data;
    size_t dlen;
    /* Before the remote's Hello only Hello and Disconnect may come, uncompressed. */
    int compressed = c->remote_hello_seen && c->snappy;
    int rc = ethp2p_p2p_msg_decode(msg, len, compressed, &code, &data, &dlen, &c->scratch);
    if (rc && compressed && len > 0) {
        /* @ethereumjs/devp2p sends Disconnect uncompressed even after Hello. */
        uint64_t raw_code;
        if (ethp2p_p2p_msg_decode(msg, len, 0, &raw_code, &data, &dlen, NULL) == 0 && raw_code == ETHP2P_P2P_DISCONNECT) {
            code = raw_code;
            rc = 0;
        }
    }
    if (rc) {
        ETHP2P_DEBUG(LOG_MOD, "bad message", "err=\"%s\"", ethp2p_strerror(rc));
        ethp2p_conn_disconnect(c, ETHP2P_DISC_PROTOCOL_ERROR);
        return;
    }
    if (code == ETHP2P_P2P_DISCONNECT) {
        int reason = ethp2p_disconnect_decode(data, dlen);
        if (reason < 0 && compressed) {
            /* compressed but the payload did not parse: try it raw */
            uint64_t rc2;
            const uint8_t *raw;
            size_t rlen;
            if (ethp2p_p2p_msg_decode(msg, len, 0, &rc2, &raw, &rlen, NULL) == 0) reason = ethp2p_disconnect_decode(raw, rlen);
        }
        ETHP2P_DEBUG(LOG_MOD, "remote disconnected", "reason=\"%s\"",
                     ethp2p_disconnect_reason_name(reason < 0 ? ETHP2P_DISC_REQUESTED : reason));
        close_conn(c, reason < 0 ? ETHP2P_DISC_REQUESTED : reason, 1);
        return;
    }
    if (!c->remote_hello_seen) {
        if (code != ETHP2P_P2P_HELLO) {
            ethp2p_conn_disconnect(c, ETHP2P_DISC_PROTOCOL_ERROR);
            return;
        }
        handle_hello(c, data, dlen, now);
        return;
    }
    switch (code) {
    case ETHP2P_P2P_HELLO:
        ethp2p_conn_disconnect(c, ETHP2P_DISC_PROTOCOL_ERROR); /* only one Hello */
        return;
    case ETHP2P_P2P_PING: {
        static const uint8_t empty_list[] = {0xc0};
        if (send_msg(c, ETHP2P_P2P_PONG, empty_list, 1, c->snappy)) close_conn(c, ETHP2P_DISC_NETWORK_ERROR, 0);
        return;
    }
    case ETHP2P_P2P_PONG:
        return; /* any frame already counts as liveness (last_read) */
    }
    if (code < ETHP2P_P2P_BASE_CODES) return; /* reserved base codes: ignored */
    for (size_t i = 0; i < c->nshared; i++) {
        const ethp2p_shared_cap *sc = &c->shared[i];
        if (code >= sc->offset && code < sc->offset + sc->spec->length) {
            if (c->cfg.on_message) c->cfg.on_message(c->cfg.ctx, sc, code - sc->offset, data, dlen);
            return;
        }
    }
    ethp2p_conn_disconnect(c, ETHP2P_DISC_PROTOCOL_ERROR); /* a code no shared capability owns */
}

static void process(ethp2p_conn *c, uint64_t now_ms);

void ethp2p_conn_receive(ethp2p_conn *c, const uint8_t *data, size_t len, uint64_t now_ms)
{
    if (c->state == ETHP2P_CONN_CLOSED) return;
    if (ethp2p_buffer_append(&c->in, data, len)) {
        ethp2p_conn_disconnect(c, ETHP2P_DISC_PROTOCOL_ERROR);
        return;
    }
    account(c);
    ethp2p_conn_budget *b = c->cfg.budget;
    if (b && b->used > b->limit && c->in.len > b->limit / 16) {
        b->refusals++;
        ETHP2P_DEBUG(LOG_MOD, "receive budget exceeded: dropping the peer", "holds=%zu total=%zu", c->in.len, b->used);
        c->in.len = 0;
        account(c);
        ethp2p_conn_disconnect(c, ETHP2P_DISC_PROTOCOL_ERROR);
        return;
    }
    process(c, now_ms);
    account(c);
}

/* Handshake messages and frames, as many as the input holds. */
static void process(ethp2p_conn *c, uint64_t now_ms)
{
    while (c->state != ETHP2P_CONN_CLOSED) {
        if (c->state == ETHP2P_CONN_HANDSHAKE) {
            size_t used;
            uint8_t buf[2 + ETHP2P_RLPX_MAX_HANDSHAKE];
            size_t blen;
            int rc = c->cfg.initiator ? ethp2p_rlpx_ack_read(&c->hs, c->in.data, c->in.len, &used)
                                      : ethp2p_rlpx_auth_read(&c->hs, c->in.data, c->in.len, &used);
            if (rc == 1) return; /* need more */
            if (rc) {
                ETHP2P_DEBUG(LOG_MOD, "handshake failed", "err=\"%s\"", ethp2p_strerror(rc));
                close_conn(c, ETHP2P_DISC_PROTOCOL_ERROR, 0);
                return;
            }
            consume(c, used);
            if (!c->cfg.initiator) {
                if (ethp2p_rlpx_ack_write(&c->hs, buf, &blen)) {
                    close_conn(c, ETHP2P_DISC_PROTOCOL_ERROR, 0);
                    return;
                }
                c->cfg.send(c->cfg.ctx, buf, blen);
            }
            enter_hello(c, now_ms);
            continue;
        }
        if (!c->pending_body) {
            if (c->in.len < ETHP2P_RLPX_HEADER_SIZE) return;
            if (ethp2p_rlpx_frame_read_header(&c->codec, c->in.data, &c->pending_size, &c->pending_body)) {
                ETHP2P_DEBUG(LOG_MOD, "bad header MAC", "%s", "");
                close_conn(c, ETHP2P_DISC_PROTOCOL_ERROR, 0); /* the stream is unusable: no Disconnect */
                return;
            }
            /* Before the Hello arrived, nothing larger than a Hello is welcome. */
            if (!c->remote_hello_seen && c->pending_size > ETHP2P_P2P_MAX_HELLO + 16) {
                ethp2p_conn_disconnect(c, ETHP2P_DISC_PROTOCOL_ERROR);
                return;
            }
            consume(c, ETHP2P_RLPX_HEADER_SIZE);
        }
        if (c->in.len < c->pending_body) return;
        if (ethp2p_rlpx_frame_read_body(&c->codec, c->in.data, c->pending_body)) {
            close_conn(c, ETHP2P_DISC_PROTOCOL_ERROR, 0);
            return;
        }
        c->last_read = now_ms;
        size_t body = c->pending_body, size = c->pending_size;
        c->pending_body = 0;
        /* Handled in place: handlers may send (which never touches the input
         * buffer) but must not feed this connection more input. */
        handle_message(c, c->in.data, size, now_ms);
        consume(c, body);
    }
}

uint64_t ethp2p_conn_tick(ethp2p_conn *c, uint64_t now_ms)
{
    if (c->state == ETHP2P_CONN_CLOSED) return NEVER;
    if (c->state != ETHP2P_CONN_ACTIVE && now_ms >= c->deadline) {
        ETHP2P_DEBUG(LOG_MOD, "handshake timeout", "state=%d", c->state);
        ethp2p_conn_disconnect(c, ETHP2P_DISC_READ_TIMEOUT);
        return NEVER;
    }
    if (c->state == ETHP2P_CONN_ACTIVE) {
        if (now_ms - c->last_read >= ETHP2P_CONN_READ_TIMEOUT_MS) {
            ethp2p_conn_disconnect(c, ETHP2P_DISC_READ_TIMEOUT);
            return NEVER;
        }
        if (now_ms >= c->next_ping) {
            static const uint8_t empty_list[] = {0xc0};
            if (send_msg(c, ETHP2P_P2P_PING, empty_list, 1, c->snappy)) {
                close_conn(c, ETHP2P_DISC_NETWORK_ERROR, 0);
                return NEVER;
            }
            c->next_ping = now_ms + ETHP2P_CONN_PING_INTERVAL_MS;
        }
        uint64_t read_deadline = c->last_read + ETHP2P_CONN_READ_TIMEOUT_MS;
        return c->next_ping < read_deadline ? c->next_ping : read_deadline;
    }
    return c->deadline;
}

int ethp2p_conn_send(ethp2p_conn *c, const ethp2p_shared_cap *cap, uint64_t code, const uint8_t *data, size_t len)
{
    if (c->state != ETHP2P_CONN_ACTIVE || code >= cap->spec->length) return ETHP2P_EINVAL;
    return send_msg(c, cap->offset + code, data, len, c->snappy);
}
