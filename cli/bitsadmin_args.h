/*
 * bitsadmin_args.h - the pure part of the bitsadmin spelling: argv in,
 * argv out, no I/O (cli_translate_bitsadmin in cli.h prints the error).
 * Separate so fuzz/ can drive it without the rest of the tool.
 */
#ifndef OPENBITS_BITSADMIN_ARGS_H
#define OPENBITS_BITSADMIN_ARGS_H

#include <stddef.h>

/* Translates "/SWITCH ARGS..." (argv[0] is the switch, after any
 * /rawreturn) into subcommand arguments. On success returns the new argc
 * (>= 1) and sets *out_argv to a NULL-terminated array of at most
 * 2 * argc + 3 entries, owned by the caller (free() the array only: the
 * entries are argv's or static strings). Sets *raw to 1 for /rawreturn.
 * On failure returns -1 with the reason in @p error (NUL-terminated,
 * @p error_size bytes). Thread-safe. */
int bitsadmin_translate(int argc, char **argv, char ***out_argv, int *raw, char *error,
                        size_t error_size);

#endif
