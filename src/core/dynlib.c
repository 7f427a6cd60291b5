/* Libraries loaded when first used (dynlib.h). */
#include "core/dynlib.h"

#include <dlfcn.h>
#include <stdio.h>

void *tsim__dynlib_open(const char *soname, const char *package, char *err, size_t errlen)
{
    /* RTLD_LOCAL: the library's symbols are reached only through dlsym, never by the
     * program's own references, so they cannot stand in for anything else. */
    void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        const char *why = dlerror();
        snprintf(err, errlen, "cannot load '%s' (Debian package '%s'): %s", soname, package,
                 why ? why : "not found");
    }
    return lib;
}

void *tsim__dynlib_sym(void *lib, const char *soname, const char *name, char *err,
                       size_t errlen)
{
    void *p = dlsym(lib, name);
    if (!p) snprintf(err, errlen, "'%s' has no '%s'", soname, name);
    return p;
}
