/* SPDX-License-Identifier: EUPL-1.2 */
#include "aes67_pacer.h"

#include <errno.h>
#include <glib.h>
#include <time.h>

#include "worker_pool.h"

#define TOLK_LOG_MODULE "aes67"
#include "log.h"

#define IDLE_WAKE_NS 1000000 /* an output that has not sent yet is started within a millisecond */

static struct {
    GMutex lock;
    GCond changed;
    GPtrArray *outputs; /* tolk_aes67_output*, not owned */
    GThread *thread;
    bool stopping;
} pacer;

static int64_t tai_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_TAI, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Under the lock: the earliest due time over the outputs (an unstarted one is due now). */
static int64_t earliest_due(int64_t now)
{
    int64_t earliest = now + IDLE_WAKE_NS;
    for (guint i = 0; i < pacer.outputs->len; i++) {
        int64_t due = tolk_aes67_output_due_ns(g_ptr_array_index(pacer.outputs, i));
        if (due < earliest)
            earliest = due <= 0 ? now : due;
    }
    return earliest;
}

static void sleep_until(int64_t at_ns)
{
    struct timespec ts = {.tv_sec = at_ns / 1000000000, .tv_nsec = at_ns % 1000000000};
    while (clock_nanosleep(CLOCK_TAI, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

/* CLOCK_TAI is CLOCK_REALTIME plus the kernel's TAI offset: at 0 (nobody set it) the RTP
 * timestamps are 37 s off the hall's PTP media clock. */
static void check_tai_offset(void)
{
    struct timespec tai, utc;
    clock_gettime(CLOCK_TAI, &tai);
    clock_gettime(CLOCK_REALTIME, &utc);
    if (tai.tv_sec - utc.tv_sec < 1)
        LOG_WARN("the kernel's TAI offset is 0: AES67 timestamps follow UTC, not the hall's PTP (TAI) "
                 "time; set it (docs/aes67.md, PTP)");
}

static gpointer pacer_main(gpointer data)
{
    (void)data;
    if (tolk_thread_try_realtime())
        LOG_INFO("AES67 pacer: real-time scheduling (SCHED_FIFO)");
    check_tai_offset();
    g_mutex_lock(&pacer.lock);
    while (!pacer.stopping) {
        if (pacer.outputs->len == 0) {
            g_cond_wait(&pacer.changed, &pacer.lock);
            continue;
        }
        int64_t due = earliest_due(tai_ns());
        g_mutex_unlock(&pacer.lock);
        sleep_until(due);
        g_mutex_lock(&pacer.lock);
        int64_t now = tai_ns();
        for (guint i = 0; i < pacer.outputs->len; i++)
            tolk_aes67_output_send_due(g_ptr_array_index(pacer.outputs, i), now);
    }
    g_mutex_unlock(&pacer.lock);
    return NULL;
}

bool tolk_aes67_pacer_add(tolk_aes67_output *out)
{
    g_mutex_lock(&pacer.lock);
    if (!pacer.outputs)
        pacer.outputs = g_ptr_array_new();
    if (!pacer.thread) {
        pacer.stopping = false;
        pacer.thread = g_thread_try_new("tolk-aes67", pacer_main, NULL, NULL);
    }
    bool ok = pacer.thread != NULL;
    if (ok)
        g_ptr_array_add(pacer.outputs, out);
    g_cond_signal(&pacer.changed);
    g_mutex_unlock(&pacer.lock);
    return ok;
}

void tolk_aes67_pacer_remove(tolk_aes67_output *out)
{
    g_mutex_lock(&pacer.lock);
    if (pacer.outputs)
        g_ptr_array_remove(pacer.outputs, out);
    g_mutex_unlock(&pacer.lock);
}

void tolk_aes67_pacer_shutdown(void)
{
    g_mutex_lock(&pacer.lock);
    GThread *thread = pacer.thread;
    pacer.thread = NULL;
    pacer.stopping = true;
    g_cond_signal(&pacer.changed);
    g_mutex_unlock(&pacer.lock);
    if (thread)
        g_thread_join(thread);
    g_mutex_lock(&pacer.lock);
    if (pacer.outputs)
        g_ptr_array_free(pacer.outputs, TRUE);
    pacer.outputs = NULL;
    g_mutex_unlock(&pacer.lock);
}
