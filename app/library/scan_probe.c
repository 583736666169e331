/* scan_probe: probing a batch in parallel (see scan_int.h). */
#include <pthread.h>

#include "library/scan_int.h"

struct probe_work {
	struct item *items;
	int n;
	int next; /* [mu] */
	pthread_mutex_t mu;
};

static void *probe_thread(void *arg)
{
	struct probe_work *pw = arg;
	for (;;) {
		pthread_mutex_lock(&pw->mu);
		int i = pw->next++;
		pthread_mutex_unlock(&pw->mu);
		if (i >= pw->n)
			return NULL;
		struct item *it = &pw->items[i];
		it->probe_rc = probe_file(it->path, &it->probe, it->probe_err, sizeof(it->probe_err));
	}
}

void scan_probe_batch(struct scan *s)
{
	struct probe_work pw = {s->batch, s->nbatch, 0, PTHREAD_MUTEX_INITIALIZER};
	pthread_t th[8];
	int nt = s->o->threads < 1 ? 1 : s->o->threads > 8 ? 8 : s->o->threads, started = 0;

	if (nt > s->nbatch)
		nt = s->nbatch;
	for (int i = 1; i < nt; i++)
		if (!pthread_create(&th[started], NULL, probe_thread, &pw))
			started++;
	probe_thread(&pw);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
}
