/* SPDX-License-Identifier: EUPL-1.2 */
#include "install_paths.h"

#include <glib.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    bool known;
    bool build_tree;
    char *staging_root; /* "" when installed where meson was told to */
} tolk_install_place;

static char *canonical(const char *path)
{
    char *real = realpath(path, NULL);
    char *copy = g_strdup(real ? real : path);
    free(real);
    return copy;
}

/* /proc/self/exe names the binary with every symbolic link resolved. */
static tolk_install_place *install_place(void)
{
    static tolk_install_place place;
    if (place.known)
        return &place;
    place.known = true;
    place.staging_root = g_strdup("");
    char *exe = g_file_read_link("/proc/self/exe", NULL);
    if (!exe)
        return &place;
    char *dir = g_path_get_dirname(exe);
    char *build_dir = canonical(TOLK_BUILD_DIR);
    char *bindir = canonical(TOLK_BINDIR);
    place.build_tree = strcmp(dir, build_dir) == 0;
    size_t dir_len = strlen(dir), bindir_len = strlen(bindir);
    if (!place.build_tree && dir_len > bindir_len && strcmp(dir + dir_len - bindir_len, bindir) == 0) {
        g_free(place.staging_root);
        place.staging_root = g_strndup(dir, dir_len - bindir_len);
    }
    g_free(bindir);
    g_free(build_dir);
    g_free(dir);
    g_free(exe);
    return &place;
}

const char *tolk_default_web_dir(void)
{
    static char *web_dir;
    if (!web_dir) {
        tolk_install_place *place = install_place();
        web_dir = place->build_tree ? g_strdup(TOLK_SOURCE_WEB_DIR)
                                    : g_strconcat(place->staging_root, TOLK_WEB_DIR, NULL);
    }
    return web_dir;
}

const char *tolk_default_state_dir(void)
{
    static char *state_dir;
    tolk_install_place *place = install_place();
    if (place->build_tree)
        return NULL;
    if (!state_dir)
        state_dir = g_strconcat(place->staging_root, TOLK_STATE_DIR, NULL);
    return state_dir;
}

const char *tolk_default_config_file(void)
{
    static char *config_file;
    tolk_install_place *place = install_place();
    if (place->build_tree)
        return NULL;
    if (!config_file)
        config_file = g_strconcat(place->staging_root, TOLK_CONFIG_FILE, NULL);
    return config_file;
}
