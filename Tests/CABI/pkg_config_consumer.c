/*
 * A C program as a user of an installed libsoftsortkit writes it: built with
 * `cc consumer.c $(pkg-config --cflags --libs softsortkit)` against a prefix
 * (.ci/c-library.sh), no rpath into a build folder. Checks the header's
 * version macros against the library, one error name and one output.
 */
#include <softsortkit.h>

#include <stdio.h>
#include <string.h>

int main(void) {
    char version[32];
    snprintf(version, sizeof version, "%d.%d.%d", SOFTSORTKIT_VERSION_MAJOR, SOFTSORTKIT_VERSION_MINOR,
             SOFTSORTKIT_VERSION_PATCH);
    if (softsortkit_abi_version() != SOFTSORTKIT_ABI_VERSION || strcmp(softsortkit_version(), version) != 0) {
        printf("header %s (ABI %d), library %s (ABI %d)\n", version, SOFTSORTKIT_ABI_VERSION, softsortkit_version(),
               softsortkit_abi_version());
        return 1;
    }
    softsortkit_options options;
    softsortkit_options_init(&options);
    options.temperature = 0.0;
    float scores[4] = {0.3f, 2.0f, -1.0f, 0.7f}, ranks[4];
    int32_t code = softsortkit_ranks_f32(&options, scores, 1, 4, ranks, NULL);
    const char *name = softsortkit_error_name(code);
    if (name == NULL || strcmp(name, "SOFTSORTKIT_ERROR_INVALID_TEMPERATURE") != 0) {
        printf("temperature 0 gave code %d (%s)\n", code, name ? name : "NULL");
        return 1;
    }
    options.temperature = 0.01;
    code = softsortkit_ranks_f32(&options, scores, 1, 4, ranks, NULL);
    /* Descending: the largest score (2.0) has rank 1, the smallest (-1.0) rank 4. */
    if (code != SOFTSORTKIT_OK || ranks[1] < 0.99f || ranks[1] > 1.01f || ranks[2] < 3.99f || ranks[2] > 4.01f) {
        printf("ranks: code %d (%s) %s, ranks %g %g %g %g\n", code, softsortkit_error_name(code),
               softsortkit_last_error(), ranks[0], ranks[1], ranks[2], ranks[3]);
        return 1;
    }
    printf("softsortkit %s (ABI %d): ranks %g %g %g %g\n", softsortkit_version(), softsortkit_abi_version(),
           ranks[0], ranks[1], ranks[2], ranks[3]);
    return 0;
}
