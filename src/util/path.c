#include "util/path.h"

#include <string.h>

#include "util/str.h"
#include "util/banned.h"

char *cg_path_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? cg_strndup(path, (size_t)(slash - path)) : cg_strdup("");
}
