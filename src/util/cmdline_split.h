/* cmdline_split.h - splitting SetNotifyCmdLine's parameters into words. */
#ifndef OB_UTIL_CMDLINE_SPLIT_H
#define OB_UTIL_CMDLINE_SPLIT_H

/* Splits @p params into words: blanks separate, "double quotes" group and
 * backslash escapes a quote or backslash. Returns a NULL-terminated array
 * of strings in one allocation (free() it once), or NULL on failure or an
 * unterminated quote. */
char **ob_cmdline_split(const char *params);

#endif
