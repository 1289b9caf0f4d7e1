/* Process resource counts for leak tests: open descriptors and mapping lines. */
/* SPDX-License-Identifier: BSD-2-Clause */
#pragma once

#include <dirent.h>
#include <stddef.h>
#include <stdio.h>

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

static inline size_t count_maps(void)
{
    size_t n = 0;
    FILE *f = fopen("/proc/self/maps", "r");
    for (int c; f != NULL && (c = fgetc(f)) != EOF;) {
        n += c == '\n';
    }
    if (f != NULL) {
        fclose(f);
    }
    return n;
}
