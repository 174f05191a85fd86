/* SPDX-License-Identifier: EUPL-1.2 */
#include "engine.h"

#include <errno.h>
#include <glib.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "media_input.h"
#include "media_tick.h"
#include "worker_pool.h"

#define TOLK_LOG_MODULE "engine"
#include "log.h"

#define EVENTS_PER_WAIT 64

typedef struct {
    tolk_media *media;
    unsigned index;
} job;

typedef struct {
    GMutex lock;
    GCond changed;          /* members, tick_running, tick_seq, recv_seq */
    GPtrArray *members;     /* tolk_media*, under lock */
    bool tick_running;      /* the tick holds a snapshot of members */
    uint64_t tick_seq;      /* ticks finished */
    uint64_t recv_seq;      /* receive batches finished */
    bool stopping;
    GThread *tick_thread, *receive_thread;
    tolk_worker_pool *pool;
    int epoll_fd, wake_fd;
    atomic_uint_fast64_t late_ticks;
    /* Tick thread only. */
    GPtrArray *snapshot;
    GArray *jobs;
    uint64_t pts_ns;
} engine;

static engine *the_engine;
static GMutex start_lock;
static atomic_uint_fast64_t tick_epoch_ns; /* the tick's start: pts 0 */

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void sleep_until(uint64_t when_ns)
{
    struct timespec ts = {.tv_sec = (time_t)(when_ns / 1000000000ULL), .tv_nsec = (long)(when_ns % 1000000000ULL)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

static void run_input(void *ctx, unsigned index)
{
    job *j = &g_array_index(((engine *)ctx)->jobs, job, index);
    tolk_media_tick_input(j->media, j->index);
}

static void run_mix(void *ctx, unsigned index)
{
    engine *e = ctx;
    job *j = &g_array_index(e->jobs, job, index);
    tolk_media_tick_mix(j->media, j->index, e->pts_ns);
}

static void add_jobs(engine *e, tolk_media *media, unsigned count)
{
    for (unsigned i = 0; i < count; i++) {
        job j = {media, i};
        g_array_append_val(e->jobs, j);
    }
}

/* Hands every ready input socket among events to its input; true when the wake fd (the one
 * event without an input) was among them. */
static bool read_inputs(const struct epoll_event *events, int n)
{
    bool woken = false;
    for (int i = 0; i < n; i++) {
        if (events[i].data.ptr)
            tolk_media_input_readable(events[i].data.ptr);
        else
            woken = true;
    }
    return woken;
}

/* What arrived since the receive thread last ran, read at the tick's own priority: a packet that
 * came before the tick plays in it even when the (ordinary) receive thread is kept waiting by
 * other work. Level-triggered, so the receive thread may see the same sockets: both only recv. */
static void receive_ready(engine *e)
{
    struct epoll_event events[EVENTS_PER_WAIT];
    read_inputs(events, epoll_wait(e->epoll_fd, events, EVENTS_PER_WAIT, 0));
}

/* One frame of every sitting: inputs on every core, then mixes on every core. */
static void tick_once(engine *e)
{
    GPtrArray *members = e->snapshot;
    receive_ready(e);
    g_array_set_size(e->jobs, 0);
    for (guint m = 0; m < members->len; m++)
        add_jobs(e, members->pdata[m], tolk_media_tick_begin(members->pdata[m]));
    tolk_worker_pool_run(e->pool, e->jobs->len, run_input, e);
    g_array_set_size(e->jobs, 0);
    for (guint m = 0; m < members->len; m++)
        add_jobs(e, members->pdata[m], tolk_media_tick_plan(members->pdata[m]));
    tolk_worker_pool_run(e->pool, e->jobs->len, run_mix, e);
    for (guint m = 0; m < members->len; m++)
        tolk_media_tick_end(members->pdata[m]);
}

/* Waits for a sitting to tick for; false when stopping. Takes the snapshot under the lock. */
static bool take_snapshot(engine *e, bool *waited)
{
    g_mutex_lock(&e->lock);
    *waited = false;
    while (!e->stopping && e->members->len == 0) {
        *waited = true;
        g_cond_wait(&e->changed, &e->lock);
    }
    bool go = !e->stopping;
    g_ptr_array_set_size(e->snapshot, 0);
    for (guint i = 0; go && i < e->members->len; i++)
        g_ptr_array_add(e->snapshot, e->members->pdata[i]);
    e->tick_running = go;
    g_mutex_unlock(&e->lock);
    return go;
}

static void tick_done(engine *e)
{
    g_mutex_lock(&e->lock);
    e->tick_running = false;
    e->tick_seq++;
    g_cond_broadcast(&e->changed);
    g_mutex_unlock(&e->lock);
}

/* Frames on an absolute 20 ms grid; the RTP time of every stream follows it. A tick that
 * comes more than a frame late (the machine was stalled) starts the grid afresh at now, with
 * the timeline moved on by the frames missed, so receivers see a gap, never a time warp. */
static gpointer tick_main(gpointer data)
{
    engine *e = data;
    if (tolk_thread_try_realtime())
        LOG_INFO("media engine: real-time scheduling (SCHED_FIFO)");
    else
        LOG_INFO("media engine: ordinary scheduling (real-time refused: grant CAP_SYS_NICE or LimitRTPRIO)");
    const uint64_t start = monotonic_ns();
    atomic_store(&tick_epoch_ns, start);
    uint64_t next = start;
    bool waited;
    while (take_snapshot(e, &waited)) {
        uint64_t now = monotonic_ns();
        if (now >= next + TOLK_TICK_NS) {
            if (!waited) /* a wait for the first sitting is not lateness */
                atomic_fetch_add(&e->late_ticks, 1);
            next += (now - next) / TOLK_TICK_NS * TOLK_TICK_NS;
        }
        e->pts_ns = next - start;
        tick_once(e);
        tick_done(e);
        next += TOLK_TICK_NS;
        sleep_until(next);
    }
    return NULL;
}

static void receive_batch_done(engine *e)
{
    g_mutex_lock(&e->lock);
    e->recv_seq++;
    g_cond_broadcast(&e->changed);
    g_mutex_unlock(&e->lock);
}

static gpointer receive_main(gpointer data)
{
    engine *e = data;
    /* Not real-time: a flood on an input port must not take a core from the control plane. */
    struct epoll_event events[EVENTS_PER_WAIT];
    for (;;) {
        int n = epoll_wait(e->epoll_fd, events, EVENTS_PER_WAIT, -1);
        if (n < 0 && errno != EINTR) {
            int failure = errno;
            static tolk_log_limit limit;
            uint64_t unlogged;
            if (tolk_log_limit_pass(&limit, g_get_monotonic_time(), &unlogged))
                LOG_ERROR("the receive thread cannot wait for packets (epoll_wait: %s; %llu more since the last "
                          "such line)", g_strerror(failure), (unsigned long long)unlogged);
            g_usleep(10000); /* never spin on a broken epoll */
        }
        bool stopping = false;
        if (read_inputs(events, n)) {
            uint64_t count;
            if (read(e->wake_fd, &count, sizeof count) < 0 && errno != EAGAIN)
                LOG_WARN("engine wake: %s", g_strerror(errno));
            g_mutex_lock(&e->lock);
            stopping = e->stopping;
            g_mutex_unlock(&e->lock);
        }
        receive_batch_done(e);
        if (stopping)
            return NULL;
    }
}

static engine *engine_start(void)
{
    engine *e = g_new0(engine, 1);
    g_mutex_init(&e->lock);
    g_cond_init(&e->changed);
    e->members = g_ptr_array_new();
    e->snapshot = g_ptr_array_new();
    e->jobs = g_array_new(FALSE, FALSE, sizeof(job));
    e->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    e->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    struct epoll_event wake = {.events = EPOLLIN, .data.ptr = NULL};
    if (e->epoll_fd < 0 || e->wake_fd < 0 || epoll_ctl(e->epoll_fd, EPOLL_CTL_ADD, e->wake_fd, &wake) < 0) {
        LOG_ERROR("the media engine cannot start: %s", g_strerror(errno));
        return NULL; /* leaked on purpose: a daemon without epoll serves no audio anyway */
    }
    /* The tick thread is one core; the pool adds the others. */
    unsigned cores = g_get_num_processors();
    e->pool = tolk_worker_pool_new(cores > 1 ? cores - 1 : 0);
    e->tick_thread = g_thread_new("tolk-tick", tick_main, e);
    e->receive_thread = g_thread_new("tolk-receive", receive_main, e);
    LOG_INFO("media engine: a tick thread, a receive thread and %u workers", tolk_worker_pool_threads(e->pool));
    return e;
}

static engine *engine_get(void)
{
    g_mutex_lock(&start_lock);
    if (!the_engine)
        the_engine = engine_start();
    engine *e = the_engine;
    g_mutex_unlock(&start_lock);
    return e;
}

bool tolk_engine_add(tolk_media *media)
{
    engine *e = engine_get();
    if (!e)
        return false;
    g_mutex_lock(&e->lock);
    g_ptr_array_add(e->members, media);
    g_cond_broadcast(&e->changed);
    g_mutex_unlock(&e->lock);
    return true;
}

static void wake_receiver(engine *e)
{
    uint64_t one = 1;
    if (write(e->wake_fd, &one, sizeof one) < 0 && errno != EAGAIN)
        LOG_WARN("engine wake: %s", g_strerror(errno));
}

/* A tick that took its snapshot before now may still use what was removed; a receive batch that
 * began before a socket left epoll may still hold its input. Waits both out. */
static void engine_barrier(engine *e)
{
    g_mutex_lock(&e->lock);
    uint64_t tick = e->tick_seq, batch = e->recv_seq;
    while (e->tick_running && e->tick_seq == tick)
        g_cond_wait(&e->changed, &e->lock);
    g_mutex_unlock(&e->lock);
    wake_receiver(e);
    g_mutex_lock(&e->lock);
    while (e->recv_seq == batch && !e->stopping)
        g_cond_wait(&e->changed, &e->lock);
    g_mutex_unlock(&e->lock);
}

void tolk_engine_remove(tolk_media *media)
{
    engine *e = engine_get();
    if (!e)
        return;
    g_mutex_lock(&e->lock);
    g_ptr_array_remove(e->members, media);
    g_mutex_unlock(&e->lock);
    engine_barrier(e);
}

void tolk_engine_barrier(void)
{
    engine *e = engine_get();
    if (e)
        engine_barrier(e);
}

bool tolk_engine_watch(tolk_media_input *input, int fd)
{
    engine *e = engine_get();
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = input};
    if (!e || epoll_ctl(e->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        LOG_ERROR("cannot watch an input socket: %s", g_strerror(errno));
        return false;
    }
    return true;
}

void tolk_engine_unwatch(int fd)
{
    engine *e = engine_get();
    if (e && epoll_ctl(e->epoll_fd, EPOLL_CTL_DEL, fd, NULL) < 0)
        LOG_WARN("cannot unwatch an input socket: %s", g_strerror(errno));
}

unsigned tolk_engine_thread_count(void)
{
    g_mutex_lock(&start_lock);
    unsigned n = the_engine ? 2 + tolk_worker_pool_threads(the_engine->pool) : 0;
    g_mutex_unlock(&start_lock);
    return n;
}

bool tolk_engine_progress(uint64_t *ticks)
{
    g_mutex_lock(&start_lock);
    engine *e = the_engine;
    bool busy = false;
    *ticks = 0;
    if (e) {
        g_mutex_lock(&e->lock);
        busy = e->members->len > 0;
        *ticks = e->tick_seq;
        g_mutex_unlock(&e->lock);
    }
    g_mutex_unlock(&start_lock);
    return busy;
}

uint64_t tolk_engine_tick_time_ns(uint64_t pts_ns)
{
    uint64_t epoch = atomic_load(&tick_epoch_ns);
    return epoch ? epoch + pts_ns : 0;
}

uint64_t tolk_engine_late_ticks(void)
{
    g_mutex_lock(&start_lock);
    uint64_t n = the_engine ? atomic_load(&the_engine->late_ticks) : 0;
    g_mutex_unlock(&start_lock);
    return n;
}

void tolk_engine_shutdown(void)
{
    g_mutex_lock(&start_lock);
    engine *e = the_engine;
    the_engine = NULL;
    g_mutex_unlock(&start_lock);
    if (!e)
        return;
    g_mutex_lock(&e->lock);
    e->stopping = true;
    g_cond_broadcast(&e->changed);
    g_mutex_unlock(&e->lock);
    wake_receiver(e);
    g_thread_join(e->tick_thread);
    g_thread_join(e->receive_thread);
    tolk_worker_pool_free(e->pool);
    close(e->epoll_fd);
    close(e->wake_fd);
    g_ptr_array_unref(e->members);
    g_ptr_array_unref(e->snapshot);
    g_array_unref(e->jobs);
    g_cond_clear(&e->changed);
    g_mutex_clear(&e->lock);
    g_free(e);
}
