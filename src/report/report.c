#include "report/report.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "util/error.h"
#include "util/fs.h"
#include "util/banned.h"

extern const struct cg_reporter cg_report_text;
extern const struct cg_reporter cg_report_json;

const struct cg_reporter *const cg_reporters[] = {
	&cg_report_text,
	&cg_report_json,
};

const size_t cg_nreporters = sizeof(cg_reporters) / sizeof(cg_reporters[0]);

const struct cg_reporter *cg_reporter_find(const char *name)
{
	for (size_t i = 0; i < cg_nreporters; i++)
		if (!strcmp(cg_reporters[i]->name, name))
			return cg_reporters[i];
	return NULL;
}

int cg_report_emit(const struct cg_buf *buf, const char *path)
{
	if (!path || !strcmp(path, "-")) {
		if (fwrite(buf->ptr, 1, buf->size, stdout) != buf->size || fflush(stdout) == EOF)
			return cg_error_set(CG_E_IO, "cannot write to standard output: %s", strerror(errno));
		return 0;
	}
	return cg_fs_write_atomic(path, buf->ptr, buf->size);
}
