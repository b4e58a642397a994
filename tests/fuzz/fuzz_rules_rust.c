/* The whole rule pass on arbitrary bytes as a Rust file. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_rules_on("src/lib.rs", data, size);
}
