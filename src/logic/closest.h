/*
 * Did-you-mean for the decision logic's words (rule names, feature names): the closest name of a
 * list. The logic layer sits below the model files' suggester (model/params.h), so it has this
 * one, over the same edit distance (core/names.h).
 */
#ifndef TSIM_LOGIC_CLOSEST_H
#define TSIM_LOGIC_CLOSEST_H

#include <stddef.h>

/* The closest of `n` names to `word` within two edits (the first of equals), or NULL. */
const char *tsim__closest_name(const char *word, const char *const *names, size_t n);

#endif
