/*
 * crawl_json.h - the nodes.json both crawls write (discv4 and discv5): node ID
 * -> {seq, record, score, firstResponse, lastResponse, lastCheck}.
 */
#ifndef ETHP2P_TOOLS_CRAWL_JSON_H
#define ETHP2P_TOOLS_CRAWL_JSON_H

#include <jansson.h>
#include <stdint.h>

/** Adds one node to root (times in Unix milliseconds, written as UTC ISO 8601). */
void crawl_json_add(json_t *root, const uint8_t id[32], uint64_t seq, const char *record, int64_t score,
                    uint64_t first_ms, uint64_t last_ms, uint64_t checked_ms);
/** Writes root to path (keys sorted) and frees it; CLI_OK or CLI_FAIL with a message. */
int crawl_json_write(json_t *root, const char *path);

#endif
