/* SPDX-License-Identifier: EUPL-1.2 */
/* A main() for the fuzz targets where libFuzzer is not linked: feeds each file named (or
 * each file of each directory named) to LLVMFuzzerTestOneInput once, so that the normal
 * build runs the seed corpus and every crash file kept there as a regression test. */
#include "fuzz.h"

#include <glib.h>

static int replay_file(const char *path)
{
    gchar *data;
    gsize size;
    GError *error = NULL;
    if (!g_file_get_contents(path, &data, &size, &error)) {
        fprintf(stderr, "%s\n", error->message);
        g_error_free(error);
        return 1;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)data, size);
    g_free(data);
    return 0;
}

static int replay_dir(const char *path, int *count)
{
    GDir *dir = g_dir_open(path, 0, NULL);
    const char *name;
    int failed = 0;
    while ((name = g_dir_read_name(dir))) {
        gchar *file = g_build_filename(path, name, NULL);
        if (g_file_test(file, G_FILE_TEST_IS_REGULAR)) {
            failed |= replay_file(file);
            (*count)++;
        }
        g_free(file);
    }
    g_dir_close(dir);
    return failed;
}

int main(int argc, char **argv)
{
    int failed = 0, count = 0;
    for (int i = 1; i < argc; i++) {
        if (g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
            failed |= replay_dir(argv[i], &count);
        } else {
            failed |= replay_file(argv[i]);
            count++;
        }
    }
    printf("%d inputs replayed\n", count);
    return failed || count == 0;
}
