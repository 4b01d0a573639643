package org.openbits;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strings to and from the UTF-8 of the C library, for the JNI layer. JNI's
 * own conversions use "modified UTF-8" (U+0000 as two bytes, characters
 * beyond U+FFFF as two surrogates of three bytes each), which is not what
 * the library reads, so the binding converts in Java.
 */
public final class Utf8 {
    private static final long BITS_E_INVALIDARG = 0x80070057L;

    private Utf8() {
    }

    /**
     * The UTF-8 bytes of {@code s}, or null for null. A string holding
     * U+0000 is refused with BITS_E_INVALIDARG, as in every binding: a C
     * string ends at its first NUL, so the library would see it cut
     * ("a\u0000b" as "a"). So is one with a lone surrogate, which has no
     * UTF-8.
     */
    public static byte[] encode(String s) {
        if (s == null) {
            return null;
        }
        if (s.indexOf('\u0000') >= 0) {
            throw new Errors.InvalidArgException("a string holding U+0000 (a C string would end there)");
        }
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new Errors.InvalidArgException("a string with a lone surrogate (no UTF-8 exists)");
        }
    }

    /** The string of UTF-8 {@code bytes}, or null for null. */
    public static String decode(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * {url, path} pairs as the byte[][] the JNI layer of
     * bits_job_add_file_set takes (url, path, url, path...); null for null.
     */
    public static byte[][] encodePairs(String[][] pairs) {
        if (pairs == null) {
            return null;
        }
        byte[][] out = new byte[pairs.length * 2][];
        for (int i = 0; i < pairs.length; i++) {
            if (pairs[i] == null || pairs[i].length != 2) {
                throw new IllegalArgumentException("each file must be a {url, path} pair");
            }
            out[2 * i] = encode(pairs[i][0]);
            out[2 * i + 1] = encode(pairs[i][1]);
        }
        return out;
    }

    /** BITS_E_INVALIDARG, for the classes of this package. */
    static long invalidArg() {
        return BITS_E_INVALIDARG;
    }
}
