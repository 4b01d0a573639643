/**
 * @file openbits/common.h
 * @brief export macro, status type, memory release.
 *
 * Every other openbits header includes this one. It holds the pieces that
 * the whole API shares: the `bits_hresult` status type with its success and
 * failure tests, the export macro, and `bits_free()` for everything the
 * library hands out.
 *
 * @threadsafety every function declared here may be called from any
 * thread at any time.
 */
#ifndef OPENBITS_COMMON_H
#define OPENBITS_COMMON_H

#include <stddef.h>
#include <stdint.h>

/**
 * Marks the declaration of a function the library exports. It gives the
 * symbol default visibility while the library itself is built, and
 * expands to nothing (or to dllimport on Windows) for its users.
 */
#if defined(_WIN32) && defined(OPENBITS_BUILDING)
#define BITS_API __declspec(dllexport)
#elif defined(_WIN32)
#define BITS_API __declspec(dllimport)
#elif defined(__GNUC__) && defined(OPENBITS_BUILDING)
#define BITS_API __attribute__((visibility("default")))
#else
#define BITS_API
#endif

/**
 * @def BITS_BEGIN_DECLS
 * Opens the declarations of a header: `extern "C" {` in C++, nothing in C,
 * so C++ programs link to the C names.
 * @def BITS_END_DECLS
 * Closes what BITS_BEGIN_DECLS opened.
 */
#ifdef __cplusplus
#define BITS_BEGIN_DECLS extern "C" {
#define BITS_END_DECLS }
#else
#define BITS_BEGIN_DECLS
#define BITS_END_DECLS
#endif

BITS_BEGIN_DECLS

/**
 * Status of every fallible call, with HRESULT semantics: a value >= 0 is a
 * success (BITS_S_OK, BITS_S_FALSE, BG_S_*), a value < 0 is a failure.
 * The numbers are those of Windows BITS and never change; see
 * openbits/codes.h for the list.
 */
typedef int32_t bits_hresult;

/**
 * Writes a code constant: BITS_HRESULT_C(0x80200003u) is the bits_hresult
 * with that bit pattern. (SWIG sees the plain unsigned number, so bindings
 * get the codes as unsigned 32-bit constants, as BITS documents them.)
 */
#if defined(SWIG)
#define BITS_HRESULT_C(value) value
#elif defined(__cplusplus)
#define BITS_HRESULT_C(value) static_cast<bits_hresult>(value)
#else
#define BITS_HRESULT_C(value) ((bits_hresult)(value))
#endif

/**
 * Returns 1 when @p hr is a success code (>= 0), else 0.
 * @threadsafety any thread.
 */
BITS_API int32_t bits_succeeded(bits_hresult hr);

/**
 * Returns 1 when @p hr is a failure code (< 0), else 0.
 * @threadsafety any thread.
 */
BITS_API int32_t bits_failed(bits_hresult hr);

/**
 * Releases a string or array the library returned through an out-pointer
 * (names, descriptions, GUID texts, ...). NULL is ignored. Never pass memory
 * the library did not allocate, and never release library memory with the
 * C library's free(): the two may use different allocators.
 * @threadsafety any thread.
 */
BITS_API void bits_free(void *ptr);

BITS_END_DECLS

#endif /* OPENBITS_COMMON_H */
