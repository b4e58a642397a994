#ifndef CG_UTIL_PATH_H
#define CG_UTIL_PATH_H

/*
 * The folder of a '/'-separated path, owned by the caller: "a/b/c.rs" gives
 * "a/b", "c.rs" (a file at the top) gives "". Paths of a repository, as git
 * spells them; nothing is read from disk.
 */
char *cg_path_dir(const char *path);

#endif
