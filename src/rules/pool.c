/* The thread pool: workers take files in turn; results stay in file order. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "rules/pass.h"
#include "util/error.h"
#include "util/str.h"
#include "util/banned.h"

static void *worker(void *arg)
{
	struct pass_run *run = arg;
	for (;;) {
		size_t i;
		int err;
		pthread_mutex_lock(&run->lock);
		i = run->next < run->change->nfiles && !run->is_stopped ? run->order[run->next++] : run->change->nfiles;
		pthread_mutex_unlock(&run->lock);
		if (i >= run->change->nfiles)
			break;
		err = cg_pass__check_file(run, i);
		if (err < 0) {
			run->results[i].err = err;
			run->results[i].errmsg = cg_strdup(cg_error_last());
		}
		pthread_mutex_lock(&run->lock);
		run->is_stopped |= err < 0;
		run->done++;
		if (run->opts->progress)
			run->opts->progress(run->opts->progress_payload, run->done, run->change->nfiles);
		pthread_mutex_unlock(&run->lock);
	}
	return NULL;
}

static unsigned thread_count(unsigned jobs, size_t nfiles)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned n = jobs ? jobs : (unsigned)(cpus > 0 ? (cpus < 8 ? cpus : 8) : 1);
	/* A thread costs about as much to start as a small file costs to check. */
	if (n > nfiles)
		n = nfiles ? (unsigned)nfiles : 1;
	return n;
}

static const struct cg_changed_file *sort_files;

/* Biggest first, else in file order. */
static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	uint32_t sx = sort_files[x].size_hint, sy = sort_files[y].size_hint;
	return sx != sy ? (sx < sy) - (sx > sy) : (x > y) - (x < y);
}

/*
 * The workers take the biggest files first: a big file taken last would
 * leave the other threads idle while one parses it (tokio's tail was 10 ms
 * of one thread). Results stay in file order whatever the order of work.
 */
static void plan_order(struct pass_run *run)
{
	size_t n = run->change->nfiles;
	run->order = cg_calloc(n ? n : 1, sizeof(*run->order));
	for (size_t i = 0; i < n; i++)
		run->order[i] = i;
	sort_files = run->change->files;
	qsort(run->order, n, sizeof(*run->order), cmp_size);
	sort_files = NULL;
}

void cg_pass__run_pool(struct pass_run *run, unsigned jobs)
{
	pthread_t threads[64];
	unsigned nthreads = thread_count(jobs, run->change->nfiles), started = 0;

	plan_order(run);

	if (nthreads > sizeof(threads) / sizeof(threads[0]))
		nthreads = sizeof(threads) / sizeof(threads[0]);
	/* The calling thread works too; the others are extra hands. */
	for (unsigned t = 1; t < nthreads; t++)
		if (pthread_create(&threads[started], NULL, worker, run) == 0)
			started++;
	worker(run);
	for (unsigned t = 0; t < started; t++)
		pthread_join(threads[t], NULL);
	free(run->order);
	run->order = NULL;
}
