/* The closest name of a list (logic/closest.h). */
#include "logic/closest.h"

#include "core/names.h"

const char *tsim__closest_name(const char *word, const char *const *names, size_t n)
{
    const char *best = NULL;
    size_t bd = 3;
    for (size_t i = 0; i < n; i++) {
        size_t d = tsim__edit_distance(word, names[i], 2);
        if (d < bd) {
            bd = d;
            best = names[i];
        }
    }
    return best;
}
