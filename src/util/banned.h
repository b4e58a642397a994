#ifndef CG_UTIL_BANNED_H
#define CG_UTIL_BANNED_H

/*
 * Functions that invite overflows or hidden state. Every crabgate .c file
 * includes this last (after the system headers, whose declarations the
 * macros would otherwise break), so a use fails to compile; a test checks
 * the include is there. Use struct cg_buf, snprintf and cg_parse_* instead.
 */
#define CG_BANNED(f) sorry_##f##_is_banned_in_crabgate

#undef strcpy
#define strcpy(a, b) CG_BANNED(strcpy)
#undef strcat
#define strcat(a, b) CG_BANNED(strcat)
#undef sprintf
#define sprintf(...) CG_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) CG_BANNED(vsprintf)
#undef strtok
#define strtok(a, b) CG_BANNED(strtok)
#undef atoi
#define atoi(a) CG_BANNED(atoi)
#undef atol
#define atol(a) CG_BANNED(atol)
#undef gets
#define gets(a) CG_BANNED(gets)

#endif
