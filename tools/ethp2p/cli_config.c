/*
 * Configuration files for the CLI: a JSON object of flag names and values,
 * read with jansson before the flags are used, and printed back (dumpconfig)
 * in the same form with every default filled in.
 */
#include "cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Values taken from files: kept for the life of the process (flags point into them). */
static char **kept;
static size_t nkept;

static const char *keep(char *s)
{
    char **v = realloc(kept, (nkept + 1) * sizeof(*v));
    if (!v) {
        free(s);
        return NULL;
    }
    kept = v;
    kept[nkept++] = s;
    return s;
}

static char *value_text(const json_t *v)
{
    char buf[64];
    if (json_is_string(v)) return strdup(json_string_value(v));
    if (json_is_integer(v)) {
        snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
        return strdup(buf);
    }
    if (json_is_array(v)) {
        size_t len = 1, i;
        json_t *x;
        json_array_foreach(v, i, x) {
            if (!json_is_string(x)) return NULL;
            len += strlen(json_string_value(x)) + 1;
        }
        char *out = calloc(1, len);
        if (!out) return NULL;
        json_array_foreach(v, i, x) {
            if (i) strcat(out, ",");
            strcat(out, json_string_value(x));
        }
        return out;
    }
    return NULL;
}

int cli_config_load(const char *path, cli_flag *flags, size_t nflags)
{
    json_error_t e;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
    if (!root) {
        cli_error("--config %s: %s (line %d)", path, e.text, e.line);
        return -1;
    }
    if (!json_is_object(root)) {
        cli_error("--config %s: expected a JSON object of flag names and values", path);
        json_decref(root);
        return -1;
    }
    const char *key;
    json_t *v;
    int rc = 0;
    json_object_foreach(root, key, v) {
        cli_flag *f = NULL;
        for (size_t i = 0; i < nflags; i++)
            if (strcmp(flags[i].name, key) == 0) f = &flags[i];
        if (!f || strcmp(key, "config") == 0) {
            cli_error("--config %s: unknown setting \"%s\" (the keys are the flags' names)", path, key);
            rc = -1;
            break;
        }
        if (f->value) continue; /* the command line wins */
        if (!f->arg) {
            if (!json_is_boolean(v)) {
                cli_error("--config %s: \"%s\" takes true or false", path, key);
                rc = -1;
                break;
            }
            if (json_is_true(v)) f->value = "";
            continue;
        }
        char *text = value_text(v);
        if (!text) {
            cli_error("--config %s: \"%s\" takes a string, a number or a list of strings", path, key);
            rc = -1;
            break;
        }
        f->value = keep(text);
    }
    json_decref(root);
    return rc;
}

void cli_config_dump(const cli_flag *flags, const char *const *defs, size_t nflags, const int *skip)
{
    json_t *o = json_object();
    for (size_t i = 0; i < nflags; i++) {
        int skipped = 0;
        for (const int *s = skip; s && *s >= 0; s++) skipped |= (size_t)*s == i;
        if (skipped) continue;
        const cli_flag *f = &flags[i];
        if (!f->arg) json_object_set_new(o, f->name, json_boolean(f->value != NULL));
        else if (f->value || defs[i]) json_object_set_new(o, f->name, json_string(f->value ? f->value : defs[i]));
    }
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s) printf("%s\n", s);
    free(s);
    json_decref(o);
}
