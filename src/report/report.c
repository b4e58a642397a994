#include "report/report.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fs.h"
#include "util/banned.h"

extern const struct cg_reporter cg_report_text;
extern const struct cg_reporter cg_report_json;
extern const struct cg_reporter cg_report_sarif;
extern const struct cg_reporter cg_report_gitlab;
extern const struct cg_reporter cg_report_github;
extern const struct cg_reporter cg_report_markdown;
extern const struct cg_reporter cg_report_rustc_json;

const struct cg_reporter *const cg_reporters[] = {
	&cg_report_text,   &cg_report_json,	&cg_report_sarif,      &cg_report_gitlab,
	&cg_report_github, &cg_report_markdown, &cg_report_rustc_json,
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

static int write_stdout(const char *data, size_t len, void *payload)
{
	(void)payload;
	if (fwrite(data, 1, len, stdout) != len)
		return cg_error_set(CG_E_IO, "cannot write to standard output: %s", strerror(errno));
	return 0;
}

void cg_report_stream(struct cg_buf *buf, const char *path)
{
	if (!path || !strcmp(path, "-"))
		cg_buf_set_sink(buf, write_stdout, NULL, 256u * 1024);
}

int cg_report_append(const struct cg_buf *buf, const char *path)
{
	const char *p = buf->ptr;
	size_t len = buf->size;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		return cg_error_set(CG_E_IO, "%s: cannot append: %s", path, strerror(errno));
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = cg_error_set(CG_E_IO, "%s: cannot append: %s", path, strerror(errno));
			goto done;
		}
		p += n;
		len -= (size_t)n;
	}
done:
	if (close(fd) < 0 && !err)
		err = cg_error_set(CG_E_IO, "%s: cannot append: %s", path, strerror(errno));
	return err;
}
