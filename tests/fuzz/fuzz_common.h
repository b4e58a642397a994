#ifndef CG_FUZZ_COMMON_H
#define CG_FUZZ_COMMON_H

/* Shared by the libFuzzer harnesses: run the rule pass over one file's bytes. */
#include <git2.h>
#include <stddef.h>
#include <stdint.h>

int fuzz_rules_on(const char *path, const uint8_t *data, size_t size);

#endif
