/* The crawls' nodes.json; see crawl_json.h. */
#include "crawl_json.h"
#include "cli.h"
#include "ethp2p/hex.h"

#include <time.h>

static json_t *iso_time(uint64_t ms)
{
    char ts[32];
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(ts);
}

void crawl_json_add(json_t *root, const uint8_t id[32], uint64_t seq, const char *record, int64_t score,
                    uint64_t first_ms, uint64_t last_ms, uint64_t checked_ms)
{
    char hex[65];
    json_t *o = json_object();
    json_object_set_new(o, "seq", json_integer((json_int_t)seq));
    if (record) json_object_set_new(o, "record", json_string(record));
    json_object_set_new(o, "score", json_integer((json_int_t)score));
    json_object_set_new(o, "firstResponse", iso_time(first_ms));
    json_object_set_new(o, "lastResponse", iso_time(last_ms));
    json_object_set_new(o, "lastCheck", iso_time(checked_ms));
    ethp2p_hex_encode(id, 32, hex);
    json_object_set_new(root, hex, o);
}

int crawl_json_write(json_t *root, const char *path)
{
    int rc = json_dump_file(root, path, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(root);
    if (rc) cli_error("cannot write %s", path);
    return rc ? CLI_FAIL : CLI_OK;
}
