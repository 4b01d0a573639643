package org.openbits;

/** The server answered with an HTTP status: BG_E_HTTP_ERROR_nnn = 0x80190000 + nnn. */
public class HttpException extends BitsException {
    private static final long serialVersionUID = 1L;

    /** @param hresult a code of the HTTP family */
    public HttpException(long hresult) {
        super(hresult, null);
    }

    /** The HTTP status, e.g. 404. */
    public int status() {
        return (int) (hresult() - 0x80190000L);
    }
}
