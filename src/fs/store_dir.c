/* store_dir.c - finding, creating and checking the store directory. */
#include "fs/fs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/classify.h"

/* $XDG_STATE_HOME/openbits, else $HOME/.local/state/openbits. The XDG base
 * directory spec says a relative $XDG_STATE_HOME is to be ignored. */
static char *default_store_dir(void)
{
    const char *xdg = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    char buf[PATH_MAX];
    int n;
    if (xdg && xdg[0] == '/')
        n = snprintf(buf, sizeof buf, "%s/openbits", xdg);
    else if (home && home[0] == '/')
        n = snprintf(buf, sizeof buf, "%s/.local/state/openbits", home);
    else
        return NULL;
    if (n < 0 || (size_t)n >= sizeof buf)
        return NULL;
    return strdup(buf);
}

/* mkdir -p with mode 0700 for every directory it creates. */
static bits_hresult make_dirs(char *path)
{
    for (char *p = path + 1; ; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        int rc = mkdir(path, 0700);
        int err = errno;
        *p = saved;
        if (rc != 0 && err != EEXIST)
            return ob_hr_from_errno(err);
        if (saved == '\0')
            return BITS_S_OK;
    }
}

/* The store holds credentials and custom headers: it must be ours and
 * closed to everybody else (issue 5: refuse loose permissions). */
static bits_hresult check_store_dir(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return ob_hr_from_errno(errno);
    if (!S_ISDIR(st.st_mode))
        return BITS_E_PATH_NOT_FOUND;
    if (st.st_uid != geteuid())
        return BITS_E_ACCESSDENIED;
    if (st.st_mode & (S_IRWXG | S_IRWXO))
        return BITS_E_ACCESSDENIED;
    if (access(path, R_OK | W_OK | X_OK) != 0)
        return BITS_E_ACCESSDENIED;
    return BITS_S_OK;
}

bits_hresult ob_store_dir_prepare(const char *store_dir, char **out_path)
{
    char *path;
    if (store_dir) {
        if (store_dir[0] != '/' || strlen(store_dir) >= PATH_MAX)
            return BITS_E_INVALIDARG;
        path = strdup(store_dir);
    } else {
        path = default_store_dir();
        if (!path)
            return BITS_E_PATH_NOT_FOUND;
    }
    if (!path)
        return BITS_E_OUTOFMEMORY;
    /* Trailing slashes would make the last mkdir see an empty name. */
    for (size_t n = strlen(path); n > 1 && path[n - 1] == '/'; n--)
        path[n - 1] = '\0';

    bits_hresult hr = make_dirs(path);
    if (hr >= 0)
        hr = check_store_dir(path);
    if (hr < 0) {
        free(path);
        return hr;
    }
    *out_path = path;
    return BITS_S_OK;
}
