/*
 * url_bytes.h - which bytes a URL may carry as they are. The library's
 * AddFile check (util/validate.c) and the CLI's argument check (which
 * compiles this file in, to name the offending byte before any job is
 * touched) share it, so both refuse the same URLs.
 */
#ifndef OB_UTIL_URL_BYTES_H
#define OB_UTIL_URL_BYTES_H

/* 1 when @p c may stand in a URL as it is: printable ASCII but space,
 * '"', '<', '>', '\\', '^', '`', '{', '|', '}' (RFC 3986), and bytes
 * >= 0x80 (of UTF-8, which libcurl percent-encodes); 0 otherwise
 * (controls, DEL and those characters). Pure. */
int ob_url_byte_ok(unsigned char c);

#endif
