/*
 * fuzz_vector_parse.c - the parser of the shared test vectors
 * (tests/vectors/vector_parse.c), over the raw bytes as the runners read
 * them (not NUL-terminated, so an over-read is an ASan report). It either
 * refuses with "line N: ..." and an empty result, or returns steps within
 * the documented limits whose strings are NUL-terminated at their length.
 */
#include "fuzz_input.h"
#include "vector_parse.h"

static void check_token(const vector_tok *t)
{
    switch (t->kind) {
    case VTOK_STR:
        FUZZ_CHECK(t->text && t->len <= VECTOR_MAX_STRING && t->text[t->len] == '\0');
        break;
    case VTOK_REF:
    case VTOK_BIND:
    case VTOK_NAME:
        FUZZ_CHECK(t->text && t->text[0] != '\0');
        break;
    case VTOK_NULL:
    case VTOK_INT:
    case VTOK_ANY:
    case VTOK_OUT:
        break;
    default:
        FUZZ_CHECK(!"unknown token kind");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vector_file file;
    char err[256] = "";
    memset(&file, 0xA5, sizeof file); /* must be overwritten either way */
    if (vector_parse((const char *)data, size, &file, err, sizeof err) != 0) {
        FUZZ_CHECK(strncmp(err, "line ", 5) == 0 && memchr(err, '\0', sizeof err));
        FUZZ_CHECK(file.count == 0 && file.steps == NULL);
        return 0;
    }
    unsigned last_line = 0;
    for (size_t i = 0; i < file.count; i++) {
        const vector_step *s = &file.steps[i];
        FUZZ_CHECK(s->call && s->call[0] != '\0');
        FUZZ_CHECK(s->line > last_line);
        last_line = s->line;
        FUZZ_CHECK(s->nargs <= VECTOR_MAX_TOKENS && s->nouts <= VECTOR_MAX_TOKENS);
        for (size_t k = 0; k < s->nargs; k++)
            check_token(&s->args[k]);
        if (s->has_expect) {
            check_token(&s->ret);
            for (size_t k = 0; k < s->nouts; k++)
                check_token(&s->outs[k]);
        } else {
            FUZZ_CHECK(s->nouts == 0);
        }
    }
    vector_file_free(&file);
    return 0;
}
