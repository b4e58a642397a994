/* Config loading on arbitrary YAML: parse, then merge over the defaults. */
#include <stdint.h>
#include <stdlib.h>

#include "config/config.h"
#include "util/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cg_config *cfg = NULL;
	if (cg_config_load(&cfg, NULL, NULL) < 0)
		abort();
	cg_config_merge_text(cfg, "fuzz.yaml", (const char *)data, size);
	cg_config_free(cfg);
	cg_error_clear();
	return 0;
}
