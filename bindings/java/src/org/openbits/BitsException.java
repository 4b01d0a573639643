package org.openbits;

import org.openbits.swig.Native;

/**
 * A failed openbits call: {@link #hresult()} is the code, the unsigned
 * 32-bit number BITS documents (as the constants of
 * org.openbits.swig.NativeConstants), {@link #codeName()} its name. Each
 * failure code has its subclass in {@link Errors}, generated from the
 * library's code table; HTTP statuses are {@link HttpException}.
 */
public class BitsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long hresult;

    /**
     * @param hresult the code (unsigned, or the signed pattern)
     * @param message a message of the caller's, or null for the code's own
     */
    public BitsException(long hresult, String message) {
        super(message);
        this.hresult = hresult & 0xFFFFFFFFL;
    }

    /** The exception for a failure code (the class of {@link Errors}); null for a success code. */
    public static BitsException of(long hresult) {
        return Errors.forCode(hresult & 0xFFFFFFFFL);
    }

    /** The code: BG_E_INVALID_STATE is 0x80200002. */
    public long hresult() {
        return hresult;
    }

    /** The code's name, e.g. "BG_E_INVALID_STATE" (bits_hresult_name). */
    public String codeName() {
        return Native.bits_hresult_name(hresult);
    }

    /** "NAME (0xCODE): message", the message being the caller's or bits_hresult_message. */
    @Override
    public String getMessage() {
        String detail = super.getMessage();
        return String.format("%s (0x%08X): %s", codeName(), hresult,
                detail != null ? detail : Native.bits_hresult_message(hresult));
    }
}
