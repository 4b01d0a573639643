/*
 * redact.h - a URL as openbits shows it: the password of its userinfo
 * replaced by "***". Everything the library or the CLI shows (error
 * descriptions, `openbits info`, `list`, `--json` ...) goes through it;
 * the transfer and the public getters keep the URL as it was set.
 *
 * Pure: libc and libcurl's URL parser only, so the CLI compiles this one
 * file in as well and both redact alike.
 */
#ifndef OB_UTIL_REDACT_H
#define OB_UTIL_REDACT_H

/* What replaces a password. */
#define OB_REDACTED "***"

/* A new copy of @p url (free()) with the password of its userinfo
 * replaced by OB_REDACTED, the user name kept, as libcurl's verbose
 * output names the user only: "http://erin:pw@host/x" is shown as
 * "http://erin:***@host/x". The rest is kept byte for byte (no
 * normalisation). A string without a userinfo (no '@' in its
 * authority, a local path, a file:// URL) comes back unchanged. A bare
 * authority, as a proxy is written ("erin:pw@proxy:3128"), is read as
 * one too.
 *
 * Never leaks when in doubt: when libcurl cannot parse it, or reads the
 * userinfo otherwise than this function does, everything from after
 * "scheme://" to the last '@' of the string is replaced by OB_REDACTED
 * (the user name goes too).
 *
 * NULL for NULL, or when out of memory. */
char *ob_url_redact(const char *url);

/* The same for each space-separated entry of @p list (a proxy list); the
 * spaces are kept. NULL for NULL, or when out of memory. */
char *ob_url_redact_list(const char *list);

/* A new copy of @p text (free()) with every URL in it ("scheme://..." up
 * to a blank, a quote or an angle bracket) shown as ob_url_redact()
 * shows it: for lines that quote URLs, as libcurl's verbose text does
 * ("Issue another request to this URL: 'http://erin:pw@...'"). NULL for
 * NULL, or when out of memory. */
char *ob_text_redact_urls(const char *text);

#endif
