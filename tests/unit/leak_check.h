/* Process resource counts for leak tests: open descriptors and mapping lines. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <dirent.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static inline size_t count_fds(void)
{
    size_t n = 0;
    DIR *d = opendir("/proc/self/fd");
    for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;) {
        n += e->d_name[0] != '.';
    }
    if (d != NULL) {
        closedir(d);
    }
    return n;
}

/*
 * Mapping lines of /proc/self/maps, less anonymous ones that are writable and executable: nothing in this project
 * maps executable memory, while valgrind keeps the client heap in such mappings and grows them while it holds
 * freed blocks back, which would count as a leak.
 */
static inline size_t count_maps(void)
{
    size_t n = 0;
    FILE *f = fopen("/proc/self/maps", "r");
    char line[4096];
    while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
        char perms[8] = "";
        char path[4096] = "";
        if (sscanf(line, "%*s %7s %*s %*s %*s %4095s", perms, path) >= 1 && strcmp(perms, "rwxp") == 0 &&
            path[0] == '\0') {
            continue;
        }
        n++;
    }
    if (f != NULL) {
        fclose(f);
    }
    return n;
}
