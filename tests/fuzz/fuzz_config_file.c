/* SPDX-License-Identifier: EUPL-1.2 */
/* A configuration file as tolk_config_file_parse takes it (mixer/daemon/config_file.c).
 * The oracle: what it accepts are keys of letters, digits and '-' (an '_' read as '-') and
 * one-line UTF-8 values with line numbers rising from 1; what it refuses leaves no entries
 * and a message that starts with the file's name. */
#include "fuzz.h"

#include "config_file.h"

#include <glib.h>
#include <string.h>

static void check_entry(const tolk_config_entry *e, int previous_line)
{
    if (!e->key[0] || e->line <= previous_line)
        fuzz_fail("entry '%s' on line %d after line %d", e->key, e->line, previous_line);
    for (const char *k = e->key; *k; k++) {
        if (!g_ascii_isalnum(*k) && *k != '-')
            fuzz_fail("key '%s' holds 0x%02x", e->key, (unsigned char)*k);
    }
    if (!g_utf8_validate(e->value, -1, NULL) || strchr(e->value, '\n'))
        fuzz_fail("value of %s is not one line of UTF-8", e->key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = g_strndup((const char *)data, size); /* the loader refuses a NUL byte before this */
    tolk_config_file config;
    char err[256] = "";
    if (tolk_config_file_parse("fuzz.conf", text, &config, err, sizeof err)) {
        int line = 0;
        for (size_t i = 0; i < config.count; i++) {
            check_entry(&config.entries[i], line);
            line = config.entries[i].line;
        }
        tolk_config_file_clear(&config);
    } else if (config.count != 0 || config.entries || strncmp(err, "fuzz.conf:", 10) != 0) {
        fuzz_fail("a refusal with entries left or a message not naming the file: %s", err);
    }
    g_free(text);
    return 0;
}
