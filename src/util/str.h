#ifndef CG_UTIL_STR_H
#define CG_UTIL_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* strdup that aborts on out-of-memory; NULL in, NULL out. */
char *cg_strdup(const char *s);
char *cg_strndup(const char *s, size_t n);
void *cg_malloc(size_t n);
void *cg_calloc(size_t n, size_t size);
void *cg_realloc(void *p, size_t n);
/* Grows *arr (of *cap elements of `size` bytes) to hold at least `want`. */
void cg_array_grow(void **arr, size_t *cap, size_t want, size_t size);

bool cg_starts_with(const char *s, const char *prefix);
/* A byte of a Rust identifier: an ASCII letter, digit or `_`, or any byte of a non-ASCII character. */
bool cg_is_ident_byte(char c);
/* Whether `word` (wlen bytes) is in text[0, len) as a whole identifier, not part of a longer one. */
bool cg_has_word(const char *text, size_t len, const char *word, size_t wlen);
bool cg_ends_with(const char *s, const char *suffix);
/* The usual markers of generated code in a file's first KiB: "@generated", "DO NOT EDIT", … */
bool cg_is_generated_text(const char *text, size_t len);
bool cg_str_eq(const char *a, const char *b); /* NULL-safe */
/*
 * Levenshtein distance between a and b, in bytes, stopping at `max`: any
 * distance above it comes back as max + 1 (for "did you mean" over short ids).
 */
size_t cg_edit_distance(const char *a, const char *b, size_t max);

/* Parses a whole decimal number in [min, max]; CG_E_INPUT otherwise. */
int cg_parse_long(long *out, const char *s, long min, long max);

/* Matches a glob: `*` within a path segment, `**` across segments, `?`. */
bool cg_glob_match(const char *pattern, const char *path);

/* 64-bit FNV-1a, for hashing that need not be cryptographic. */
uint64_t cg_hash64(const void *data, size_t len, uint64_t seed);

/* A hex SHA-1: 40 digits and a NUL. */
#define CG_SHA1_HEX_SIZE 41
/* Hex SHA-1 of data (git's blob hash), used for stable fingerprints and cache keys. */
void cg_sha1_hex(char out[CG_SHA1_HEX_SIZE], const void *data, size_t len);

#endif
