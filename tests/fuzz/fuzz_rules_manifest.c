/* The rule pass on arbitrary bytes as Cargo.toml and as Cargo.lock. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_rules_on("Cargo.toml", data, size);
	return fuzz_rules_on("Cargo.lock", data, size);
}
