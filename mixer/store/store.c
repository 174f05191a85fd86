/* SPDX-License-Identifier: EUPL-1.2 */
#include "store.h"

#include <glib.h>
#include <string.h>

#include "store_file.h"

#define TOLK_LOG_MODULE "state"
#include "log.h"

typedef struct {
    char *kind, *id;
    char *text; /* NULL: delete */
} pending_item;

struct tolk_store {
    tolk_store_file file;
    GMutex lock;
    GCond changed;          /* a batch ended, or work or a stop arrived */
    GHashTable *pending;    /* "kind/id" -> pending_item*: the latest text of each record */
    uint64_t issued;        /* the last ticket handed out */
    uint64_t committed;     /* every ticket up to this is on the disk */
    uint64_t failed;        /* the last failed batch held every ticket up to this */
    char *fault;            /* why writing fails now, or NULL */
    bool refused;           /* in fault for good: the file is not a Tolk state */
    uint64_t failures;
    bool stopping;
    GThread *writer;
};

static void free_item(gpointer p)
{
    pending_item *item = p;
    g_free(item->kind);
    g_free(item->id);
    g_free(item->text);
    g_free(item);
}

static GHashTable *new_queue(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, free_item);
}

static void set_fault(tolk_store *store, char *why)
{
    if (!store->fault || strcmp(store->fault, why) != 0)
        LOG_ERROR("the state cannot be written: %s (the sittings run on; changes are kept and retried)", why);
    g_free(store->fault);
    store->fault = why;
}

static void clear_fault(tolk_store *store)
{
    if (!store->fault)
        return;
    LOG_INFO("the state is written again (%s)", store->file.path);
    g_clear_pointer(&store->fault, g_free);
}

/* A failed batch goes back into the queue, except records changed again meanwhile. */
static void requeue(tolk_store *store, GHashTable *batch)
{
    GHashTableIter iter;
    gpointer key, value;
    g_hash_table_iter_init(&iter, batch);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        if (g_hash_table_contains(store->pending, key))
            continue;
        g_hash_table_iter_steal(&iter);
        g_hash_table_insert(store->pending, key, value);
    }
}

static bool write_batch(tolk_store *store, GHashTable *batch, char **why)
{
    unsigned count = g_hash_table_size(batch);
    tolk_store_item *items = g_new(tolk_store_item, count);
    GHashTableIter iter;
    gpointer value;
    unsigned n = 0;
    g_hash_table_iter_init(&iter, batch);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        const pending_item *item = value;
        items[n++] = (tolk_store_item){item->kind, item->id, item->text};
    }
    bool ok = tolk_store_file_write(&store->file, items, count, why);
    g_free(items);
    return ok;
}

/* Waits for work; after a failure, for the retry time too (a stop cuts it short). */
static void wait_for_work(tolk_store *store, bool after_failure)
{
    gint64 retry_at = g_get_monotonic_time() + TOLK_STORE_RETRY_MS * G_TIME_SPAN_MILLISECOND;
    while (!store->stopping) {
        if (after_failure) {
            if (!g_cond_wait_until(&store->changed, &store->lock, retry_at))
                return;
        } else if (g_hash_table_size(store->pending) > 0) {
            return;
        } else {
            g_cond_wait(&store->changed, &store->lock);
        }
    }
}

static gpointer writer_main(gpointer data)
{
    tolk_store *store = data;
    bool failed = false;
    g_mutex_lock(&store->lock);
    for (;;) {
        wait_for_work(store, failed);
        if (g_hash_table_size(store->pending) == 0 && store->stopping)
            break;
        if (g_hash_table_size(store->pending) == 0)
            continue;
        GHashTable *batch = store->pending;
        store->pending = new_queue();
        uint64_t through = store->issued;
        g_mutex_unlock(&store->lock);
        char *why = NULL;
        bool ok = write_batch(store, batch, &why);
        g_mutex_lock(&store->lock);
        failed = !ok;
        if (ok) {
            store->committed = through;
            clear_fault(store);
        } else {
            store->failed = through;
            store->failures++;
            set_fault(store, g_strdup_printf("the state file %s cannot be written: %s", store->file.path, why));
            requeue(store, batch);
        }
        g_free(why);
        g_hash_table_unref(batch);
        g_cond_broadcast(&store->changed);
        if (failed && store->stopping)
            break; /* a stop does not wait for a disk that has no room */
    }
    g_mutex_unlock(&store->lock);
    return NULL;
}

tolk_store *tolk_store_open(const char *dir, tolk_error *err)
{
    tolk_store *store = g_new0(tolk_store, 1);
    tolk_store_file_result result = tolk_store_file_open(&store->file, dir, err);
    if (result == TOLK_STORE_FILE_REFUSED) {
        tolk_store_file_close(&store->file);
        g_free(store);
        return NULL;
    }
    g_mutex_init(&store->lock);
    g_cond_init(&store->changed);
    store->pending = new_queue();
    if (result == TOLK_STORE_FILE_FAULT) {
        store->refused = true;
        store->fault = g_strdup(err->message);
        LOG_ERROR("%s. Nothing is restored, and changes that need the state are refused until the file is "
                  "repaired or moved away and the daemon restarted; the file is left as it is.",
                  err->message);
    } else {
        store->writer = g_thread_new("tolk-state", writer_main, store);
        LOG_INFO("state in %s", store->file.path);
    }
    return store;
}

void tolk_store_close(tolk_store *store)
{
    if (!store)
        return;
    g_mutex_lock(&store->lock);
    store->stopping = true;
    g_cond_broadcast(&store->changed);
    g_mutex_unlock(&store->lock);
    if (store->writer)
        g_thread_join(store->writer);
    if (g_hash_table_size(store->pending) > 0)
        LOG_ERROR("%u changes could not be written to %s before the stop", g_hash_table_size(store->pending),
                  store->file.path);
    g_hash_table_unref(store->pending);
    g_free(store->fault);
    tolk_store_file_close(&store->file);
    g_mutex_clear(&store->lock);
    g_cond_clear(&store->changed);
    g_free(store);
}

const char *tolk_store_path(const tolk_store *store)
{
    return store->file.path;
}

void tolk_store_load(tolk_store *store, const char *kind, tolk_store_record_fn fn, void *ctx)
{
    if (store->refused)
        return;
    if (!tolk_store_file_load(&store->file, kind, fn, ctx))
        LOG_ERROR("cannot read the %s records of %s", kind, store->file.path);
}

uint64_t tolk_store_put(tolk_store *store, const char *kind, const char *id, const char *text)
{
    pending_item *item = g_new0(pending_item, 1);
    item->kind = g_strdup(kind);
    item->id = g_strdup(id);
    item->text = g_strdup(text);
    g_mutex_lock(&store->lock);
    uint64_t ticket = ++store->issued;
    if (store->refused) {
        free_item(item); /* the file is left as it is */
    } else {
        g_hash_table_replace(store->pending, g_strdup_printf("%s/%s", kind, id), item);
        g_cond_broadcast(&store->changed);
    }
    g_mutex_unlock(&store->lock);
    return ticket;
}

bool tolk_store_wait(tolk_store *store, uint64_t ticket, tolk_error *err)
{
    gint64 deadline = g_get_monotonic_time() + TOLK_STORE_WAIT_MS * G_TIME_SPAN_MILLISECOND;
    g_mutex_lock(&store->lock);
    bool timed_out = false;
    while (!store->fault && store->committed < ticket && store->failed < ticket && !timed_out)
        timed_out = !g_cond_wait_until(&store->changed, &store->lock, deadline);
    bool ok = store->committed >= ticket;
    if (!ok)
        tolk_error_set(err, TOLK_ERROR_UNAVAILABLE, "state_unwritable", NULL, "%s",
                       timed_out && !store->fault ? "the state file did not answer in time: the change is in force "
                                                    "but not yet stored"
                                                  : store->fault);
    g_mutex_unlock(&store->lock);
    return ok;
}

char *tolk_store_fault(tolk_store *store)
{
    g_mutex_lock(&store->lock);
    char *fault = g_strdup(store->fault);
    g_mutex_unlock(&store->lock);
    return fault;
}

bool tolk_store_refused(tolk_store *store)
{
    return store->refused; /* set once, before any other thread sees the store */
}

uint64_t tolk_store_failures(tolk_store *store)
{
    g_mutex_lock(&store->lock);
    uint64_t failures = store->failures;
    g_mutex_unlock(&store->lock);
    return failures;
}
