/*
 * openbits_perl.i - the Perl module "openbits", from the language-neutral
 * bindings/swig/openbits.i.
 *
 * A failed call (negative bits_hresult) dies with an openbits::Error
 * object: a hash with "hresult" (the unsigned code) and "name"
 * (bits_hresult_name). Out-parameters come back as a list after the code:
 *   my ($hr, $state) = openbits::bits_job_get_state($job);
 * Handles are released by the caller, as in C. Event callbacks are not
 * offered (openbits.i leaves them to each language).
 */
%module openbits

%{
#include <openbits/openbits.h>
/* Stores an openbits::Error for @p hr in $@; the wrapper then croaks. */
static void openbits_perl_fail(pTHX_ int32_t hr)
{
    HV *fields = newHV();
    (void)hv_store(fields, "hresult", 7, newSVuv((UV)(uint32_t)hr), 0);
    (void)hv_store(fields, "name", 4, newSVpv(bits_hresult_name(hr), 0), 0);
    SV *error = sv_bless(newRV_noinc((SV *)fields), gv_stashpv("openbits::Error", GV_ADD));
    sv_setsv(get_sv("@", GV_ADD), error);
    SvREFCNT_dec(error);
}
#define OPENBITS_SWIG_FAIL(hr) openbits_perl_fail(aTHX_ hr)
%}

%include "openbits.i"
