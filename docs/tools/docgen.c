/* Writes docs/api's Markdown pages from the public headers' doc comments, laid out as seL4's libsel4vm docs are. */
/* SPDX-License-Identifier: BSD-2-Clause */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* One @param line: a function parameter or a struct member. */
typedef struct doc_param {
    char *name;
    char *type;
    GString *text;
} doc_param_t;

/* One @function or @struct with everything documented under it. */
typedef struct doc_item {
    char *title; /* what follows the tag: "name(args)" for a function, the type name for a struct */
    char *name;
    GString *text;
    GPtrArray *params;  /* doc_param_t */
    GPtrArray *returns; /* GString */
    int line;
} doc_item_t;

typedef struct doc_header {
    char *rel_path; /* relative to the include folder, e.g. "vka/vka.h" */
    char *module;
    GString *module_text;
    GPtrArray *functions; /* doc_item_t */
    GPtrArray *structs;   /* doc_item_t */
} doc_header_t;

/* Where the line being parsed goes, and how continuation lines join it. */
typedef struct parse_state {
    const char *file;
    int line;
    int errors;
    doc_header_t *header;
    doc_item_t *item;
    GString *target;
    bool joins_lines; /* descriptions keep their line breaks; param and return texts are one line */
} parse_state_t;

static void param_free(gpointer p)
{
    doc_param_t *param = p;
    g_free(param->name);
    g_free(param->type);
    g_string_free(param->text, TRUE);
    g_free(param);
}

static void string_free(gpointer s)
{
    g_string_free(s, TRUE);
}

static void item_free(gpointer p)
{
    doc_item_t *item = p;
    g_free(item->title);
    g_free(item->name);
    g_string_free(item->text, TRUE);
    g_ptr_array_free(item->params, TRUE);
    g_ptr_array_free(item->returns, TRUE);
    g_free(item);
}

static void header_free(doc_header_t *header)
{
    g_free(header->rel_path);
    g_free(header->module);
    g_string_free(header->module_text, TRUE);
    g_ptr_array_free(header->functions, TRUE);
    g_ptr_array_free(header->structs, TRUE);
    g_free(header);
}

static void G_GNUC_PRINTF(2, 3) parse_error(parse_state_t *ps, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_printerr("%s:%d: %s\n", ps->file, ps->line, msg);
    ps->errors++;
}

static doc_item_t *item_new(const char *title, int line)
{
    doc_item_t *item = g_new0(doc_item_t, 1);
    item->title = g_strdup(title);
    const char *paren = strchr(title, '(');
    item->name = paren != NULL ? g_strstrip(g_strndup(title, (gsize)(paren - title))) : g_strdup(title);
    item->text = g_string_new(NULL);
    item->params = g_ptr_array_new_with_free_func(param_free);
    item->returns = g_ptr_array_new_with_free_func(string_free);
    item->line = line;
    return item;
}

/* Adds one line of comment text to whatever the last tag started. */
static void append_text(parse_state_t *ps, const char *text)
{
    if (ps->target == NULL) {
        if (*text != '\0') {
            parse_error(ps, "text outside any @module, @function or @struct: \"%s\"", text);
        }
        return;
    }
    if (ps->joins_lines) {
        if (*text != '\0') {
            if (ps->target->len > 0) {
                g_string_append_c(ps->target, ' ');
            }
            g_string_append(ps->target, text);
        }
        return;
    }
    /* Leading blank lines carry nothing; inner ones separate paragraphs and are trimmed at the end. */
    if (ps->target->len > 0 || *text != '\0') {
        g_string_append(ps->target, text);
        g_string_append_c(ps->target, '\n');
    }
}

/* "@param {type} name text": the type may contain spaces and balanced braces. */
static void parse_param(parse_state_t *ps, const char *rest)
{
    if (ps->item == NULL) {
        parse_error(ps, "@param outside a @function or @struct");
        ps->target = NULL;
        return;
    }
    const char *p = rest;
    while (g_ascii_isspace(*p)) {
        p++;
    }
    if (*p != '{') {
        parse_error(ps, "@param without a {type}");
        ps->target = NULL;
        return;
    }
    int depth = 0;
    const char *type_start = p + 1;
    for (; *p != '\0'; p++) {
        if (*p == '{') {
            depth++;
        } else if (*p == '}' && --depth == 0) {
            break;
        }
    }
    if (*p != '}') {
        parse_error(ps, "@param type has no closing brace");
        ps->target = NULL;
        return;
    }
    doc_param_t *param = g_new0(doc_param_t, 1);
    param->type = g_strstrip(g_strndup(type_start, (gsize)(p - type_start)));
    p++;
    while (g_ascii_isspace(*p)) {
        p++;
    }
    const char *name_start = p;
    while (*p != '\0' && !g_ascii_isspace(*p)) {
        p++;
    }
    param->name = g_strndup(name_start, (gsize)(p - name_start));
    param->text = g_string_new(NULL);
    if (*param->name == '\0') {
        parse_error(ps, "@param {%s} has no name", param->type);
    }
    g_ptr_array_add(ps->item->params, param);
    ps->target = param->text;
    ps->joins_lines = true;
    g_autofree char *text = g_strstrip(g_strdup(p));
    append_text(ps, text);
}

/* Handles one line of a doc comment, after the leading " * " has been removed. */
static void parse_line(parse_state_t *ps, const char *line)
{
    if (line[0] != '@') {
        if (ps->joins_lines) {
            g_autofree char *trimmed = g_strstrip(g_strdup(line));
            append_text(ps, trimmed);
        } else {
            append_text(ps, line);
        }
        return;
    }
    const char *tag_end = line + 1;
    while (g_ascii_isalpha(*tag_end) || *tag_end == '_') {
        tag_end++;
    }
    g_autofree char *tag = g_strndup(line + 1, (gsize)(tag_end - line - 1));
    g_autofree char *rest = g_strstrip(g_strdup(tag_end));
    doc_header_t *h = ps->header;

    if (strcmp(tag, "module") == 0) {
        if (h->module != NULL) {
            parse_error(ps, "second @module (the first was %s)", h->module);
        } else if (*rest == '\0') {
            parse_error(ps, "@module without a name");
        } else {
            h->module = g_strdup(rest);
        }
        ps->item = NULL;
        ps->target = h->module_text;
        ps->joins_lines = false;
    } else if (strcmp(tag, "function") == 0 || strcmp(tag, "struct") == 0) {
        bool is_function = tag[0] == 'f';
        if (*rest == '\0') {
            parse_error(ps, "@%s without a name", tag);
        } else if (is_function && (strchr(rest, '(') == NULL || !g_str_has_suffix(rest, ")"))) {
            parse_error(ps, "@function \"%s\" is not of the form name(arg, ...)", rest);
        }
        ps->item = item_new(rest, ps->line);
        g_ptr_array_add(is_function ? h->functions : h->structs, ps->item);
        ps->target = ps->item->text;
        ps->joins_lines = false;
    } else if (strcmp(tag, "param") == 0) {
        parse_param(ps, rest);
    } else if (strcmp(tag, "return") == 0) {
        if (ps->item == NULL || g_ptr_array_find(h->structs, ps->item, NULL)) {
            parse_error(ps, "@return outside a @function");
            ps->target = NULL;
            return;
        }
        GString *text = g_string_new(NULL);
        g_ptr_array_add(ps->item->returns, text);
        ps->target = text;
        ps->joins_lines = true;
        append_text(ps, rest);
    } else {
        parse_error(ps, "unknown tag @%s", tag);
        ps->target = NULL;
    }
}

static void trim_trailing_newlines(GString *s)
{
    while (s->len > 0 && (s->str[s->len - 1] == '\n' || s->str[s->len - 1] == ' ')) {
        g_string_truncate(s, s->len - 1);
    }
}

/* The argument names of "name(a, b, c)". */
static GPtrArray *signature_args(const char *title)
{
    GPtrArray *args = g_ptr_array_new_with_free_func(g_free);
    const char *open = strchr(title, '(');
    const char *close = strrchr(title, ')');
    if (open == NULL || close == NULL || close < open) {
        return args;
    }
    g_autofree char *inner = g_strndup(open + 1, (gsize)(close - open - 1));
    g_auto(GStrv) parts = g_strsplit(inner, ",", -1);
    for (char **part = parts; *part != NULL; part++) {
        char *arg = g_strstrip(*part);
        if (*arg != '\0') {
            g_ptr_array_add(args, g_strdup(arg));
        }
    }
    return args;
}

static bool contains_word(const char *haystack, gsize len, const char *word)
{
    gsize wlen = strlen(word);
    for (const char *p = haystack; p + wlen <= haystack + len; p++) {
        p = g_strstr_len(p, (gssize)(haystack + len - p), word);
        if (p == NULL) {
            return false;
        }
        bool starts = p == haystack || !(g_ascii_isalnum(p[-1]) || p[-1] == '_');
        bool ends = p + wlen == haystack + len || !(g_ascii_isalnum(p[wlen]) || p[wlen] == '_');
        if (starts && ends) {
            return true;
        }
    }
    return false;
}

/*
 * Catches the mistakes upstream's comments have: documented parameters that are not the ones in the @function
 * line, and a comment that names something other than the declaration it sits on.
 */
static void check_item(parse_state_t *ps, doc_item_t *item, bool is_function, const char *decl, gsize decl_len)
{
    ps->line = item->line;
    /* A struct documented by its typedef name may be defined as "struct name" under a typedef made earlier. */
    g_autofree char *tag = g_str_has_suffix(item->name, "_t") ? g_strndup(item->name, strlen(item->name) - 2) : NULL;
    if (!contains_word(decl, decl_len, item->name) &&
        (is_function || tag == NULL || !contains_word(decl, decl_len, tag))) {
        parse_error(ps, "%s is not declared between this comment and the next one", item->name);
    }
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < item->params->len; i++) {
        doc_param_t *param = g_ptr_array_index(item->params, i);
        if (!g_hash_table_add(seen, param->name)) {
            parse_error(ps, "%s: @param %s appears twice", item->name, param->name);
        }
    }
    g_hash_table_unref(seen);
    if (!is_function) {
        return;
    }
    g_autoptr(GPtrArray) args = signature_args(item->title);
    bool same = args->len == item->params->len;
    for (guint i = 0; same && i < args->len; i++) {
        doc_param_t *param = g_ptr_array_index(item->params, i);
        same = strcmp(g_ptr_array_index(args, i), param->name) == 0;
    }
    if (!same) {
        g_autoptr(GString) documented = g_string_new(NULL);
        for (guint i = 0; i < item->params->len; i++) {
            doc_param_t *param = g_ptr_array_index(item->params, i);
            g_string_append_printf(documented, "%s%s", i > 0 ? ", " : "", param->name);
        }
        parse_error(ps, "@function %s documents @params (%s)", item->title, documented->str);
    }
}

/* Parses every doc comment (slash, three stars) of a header; NULL for a header that has none. */
static doc_header_t *parse_header(const char *path, const char *rel_path, int *errors)
{
    g_autofree char *contents = NULL;
    g_autoptr(GError) err = NULL;
    if (!g_file_get_contents(path, &contents, NULL, &err)) {
        g_printerr("%s: %s\n", path, err->message);
        (*errors)++;
        return NULL;
    }
    doc_header_t *h = g_new0(doc_header_t, 1);
    h->rel_path = g_strdup(rel_path);
    h->module_text = g_string_new(NULL);
    h->functions = g_ptr_array_new_with_free_func(item_free);
    h->structs = g_ptr_array_new_with_free_func(item_free);
    parse_state_t ps = { .file = path, .header = h };

    /* Items of the previous block, checked once the text up to the next block (their declaration) is known. */
    guint checked_functions = 0;
    guint checked_structs = 0;
    const char *decl_start = NULL;
    bool any = false;
    const char *p = contents;
    for (;;) {
        const char *start = strstr(p, "/***");
        const char *decl_end = start != NULL ? start : contents + strlen(contents);
        if (decl_start != NULL) {
            for (; checked_functions < h->functions->len; checked_functions++) {
                check_item(&ps, g_ptr_array_index(h->functions, checked_functions), true, decl_start,
                           (gsize)(decl_end - decl_start));
            }
            for (; checked_structs < h->structs->len; checked_structs++) {
                check_item(&ps, g_ptr_array_index(h->structs, checked_structs), false, decl_start,
                           (gsize)(decl_end - decl_start));
            }
        }
        if (start == NULL) {
            break;
        }
        any = true;
        const char *end = strstr(start + 4, "*/");
        ps.line = 1;
        for (const char *c = contents; c < start; c++) {
            ps.line += *c == '\n';
        }
        if (end == NULL) {
            parse_error(&ps, "unterminated /*** comment");
            break;
        }
        g_autofree char *block = g_strndup(start + 4, (gsize)(end - start - 4));
        g_auto(GStrv) lines = g_strsplit(block, "\n", -1);
        ps.target = NULL;
        ps.item = NULL;
        for (char **l = lines; *l != NULL; l++, ps.line++) {
            char *text = *l;
            while (*text == ' ' || *text == '\t') {
                text++;
            }
            if (*text == '*') {
                text++;
                if (*text == ' ') {
                    text++;
                }
            }
            g_strchomp(text);
            if (l == lines && *text == '\0') {
                continue;
            }
            parse_line(&ps, text);
        }
        ps.line--;
        decl_start = end + 2;
        p = end + 2;
    }

    *errors += ps.errors;
    if (!any) {
        header_free(h);
        return NULL;
    }
    if (h->module == NULL) {
        h->module = g_path_get_basename(rel_path);
    }
    trim_trailing_newlines(h->module_text);
    for (guint i = 0; i < h->functions->len; i++) {
        trim_trailing_newlines(((doc_item_t *)g_ptr_array_index(h->functions, i))->text);
    }
    for (guint i = 0; i < h->structs->len; i++) {
        trim_trailing_newlines(((doc_item_t *)g_ptr_array_index(h->structs, i))->text);
    }
    return h;
}

/* GitHub's heading anchor: lower case, spaces to '-', only letters, digits, '_' and '-' kept. */
static char *slug(const char *heading, GHashTable *used)
{
    GString *s = g_string_new(NULL);
    for (const char *c = heading; *c != '\0'; c++) {
        if (g_ascii_isalnum(*c) || *c == '_' || *c == '-') {
            g_string_append_c(s, g_ascii_tolower(*c));
        } else if (*c == ' ') {
            g_string_append_c(s, '-');
        }
    }
    if (used == NULL) {
        return g_string_free(s, FALSE);
    }
    /* Repeated headings get -1, -2, ... as GitHub numbers them. */
    guint n = GPOINTER_TO_UINT(g_hash_table_lookup(used, s->str));
    g_hash_table_insert(used, g_strdup(s->str), GUINT_TO_POINTER(n + 1));
    if (n > 0) {
        g_string_append_printf(s, "-%u", n);
    }
    return g_string_free(s, FALSE);
}

static void render_item(GString *out, doc_item_t *item, bool is_function, const char *module_anchor)
{
    g_string_append_printf(out, "### %s `%s`\n\n", is_function ? "Function" : "Struct", item->title);
    if (item->text->len > 0) {
        g_string_append_printf(out, "%s\n\n", item->text->str);
    }
    g_string_append(out, is_function ? "**Parameters:**\n\n" : "**Elements:**\n\n");
    for (guint i = 0; i < item->params->len; i++) {
        doc_param_t *param = g_ptr_array_index(item->params, i);
        g_string_append_printf(out, "- `%s {%s}`: %s\n", param->name, param->type, param->text->str);
    }
    if (item->params->len == 0) {
        g_string_append(out, is_function ? "No parameters\n" : "No elements\n");
    }
    g_string_append_c(out, '\n');
    if (is_function) {
        g_string_append(out, "**Returns:**\n\n");
        for (guint i = 0; i < item->returns->len; i++) {
            g_string_append_printf(out, "- %s\n", ((GString *)g_ptr_array_index(item->returns, i))->str);
        }
        if (item->returns->len == 0) {
            g_string_append(out, "No return\n");
        }
        g_string_append_c(out, '\n');
    }
    g_string_append_printf(out, "Back to [interface description](#%s).\n\n", module_anchor);
}

static char *render_header(const doc_header_t *h, const char *include_dir)
{
    GString *out = g_string_new(NULL);
    g_autoptr(GHashTable) used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autofree char *module_heading = g_strdup_printf("module %s", h->module);
    g_autofree char *module_anchor = slug(module_heading, NULL);

    g_string_append_printf(out,
                           "<!--\n     Generated by docs/tools/docgen.c (make docs) from %s/%s: edit the header, "
                           "not this file.\n\n     SPDX-License-Identifier: BSD-2-Clause\n-->\n\n",
                           include_dir, h->rel_path);
    /* The back-links point at "module-<name>", as upstream's do; the explicit anchor makes them resolve. */
    g_string_append_printf(out, "<a name=\"%s\"></a>\n\n## Interface `%s`\n\n", module_anchor, h->module);
    if (h->module_text->len > 0) {
        g_string_append_printf(out, "%s\n\n", h->module_text->str);
    }
    /* A header that only defines constants or types has no items to list: no empty section for it. */
    if (h->functions->len > 0 || h->structs->len > 0) {
        g_string_append(out, "### Brief content:\n\n");
    }

    struct {
        GPtrArray *items;
        const char *kind;
        const char *plural;
    } sections[] = {
        { h->functions, "Function", "functions" },
        { h->structs, "Struct", "structs" },
    };
    GPtrArray *anchors[G_N_ELEMENTS(sections)];
    for (gsize s = 0; s < G_N_ELEMENTS(sections); s++) {
        anchors[s] = g_ptr_array_new_with_free_func(g_free);
        if (sections[s].items->len == 0) {
            continue;
        }
        g_string_append_printf(out, "**%c%s**:\n\n", g_ascii_toupper(sections[s].plural[0]), sections[s].plural + 1);
        for (guint i = 0; i < sections[s].items->len; i++) {
            doc_item_t *item = g_ptr_array_index(sections[s].items, i);
            g_autofree char *heading = g_strdup_printf("%s %s", sections[s].kind, item->title);
            char *anchor = slug(heading, used);
            g_ptr_array_add(anchors[s], anchor);
            g_string_append_printf(out, "> [`%s`](#%s)\n\n", item->title, anchor);
        }
        g_string_append(out, s == 0 ? "\n\n" : "");
    }
    for (gsize s = 0; s < G_N_ELEMENTS(sections); s++) {
        if (sections[s].items->len > 0) {
            g_string_append_printf(out, "\n## %c%s\n\n", g_ascii_toupper(sections[s].plural[0]),
                                   sections[s].plural + 1);
            g_string_append_printf(out, "The interface `%s` defines the following %s.\n\n", h->module,
                                   sections[s].plural);
            for (guint i = 0; i < sections[s].items->len; i++) {
                render_item(out, g_ptr_array_index(sections[s].items, i), s == 0, module_anchor);
            }
        }
        g_ptr_array_free(anchors[s], TRUE);
    }
    g_string_append(out, "\nBack to [top](#).\n");
    return g_string_free(out, FALSE);
}

/* The first sentence of a module description, for the index. */
static char *first_sentence(const char *text)
{
    g_autofree char *flat = g_strdup(text);
    g_strdelimit(flat, "\n", ' ');
    const char *end = strstr(flat, ". ");
    return end != NULL ? g_strndup(flat, (gsize)(end - flat + 1)) : g_strdup(flat);
}

static char *render_index(GPtrArray *headers, GPtrArray *names, const char *include_dir)
{
    GString *out = g_string_new(NULL);
    g_string_append_printf(out,
                           "<!--\n     Generated by docs/tools/docgen.c (make docs) from %s/: edit the headers, not "
                           "this file.\n\n     SPDX-License-Identifier: BSD-2-Clause\n-->\n\n",
                           include_dir);
    g_string_append(out, "# API reference\n\nOne page per public header, generated by `make docs` from the `/***` "
                         "comments in `include/`.\n\n");
    for (guint i = 0; i < headers->len; i++) {
        doc_header_t *h = g_ptr_array_index(headers, i);
        g_autofree char *summary = first_sentence(h->module_text->str);
        g_string_append_printf(out, "- [`<%s>`](%s)%s%s\n", h->rel_path, (char *)g_ptr_array_index(names, i),
                               *summary != '\0' ? ": " : "", summary);
    }
    return g_string_free(out, FALSE);
}

/* Every *.h under dir, as paths relative to root. */
static void find_headers(const char *root, const char *rel, GPtrArray *out)
{
    g_autofree char *dir_path = rel != NULL ? g_build_filename(root, rel, NULL) : g_strdup(root);
    g_autoptr(GError) err = NULL;
    GDir *dir = g_dir_open(dir_path, 0, &err);
    if (dir == NULL) {
        g_printerr("%s\n", err->message);
        return;
    }
    const char *entry;
    while ((entry = g_dir_read_name(dir)) != NULL) {
        g_autofree char *child_rel = rel != NULL ? g_build_filename(rel, entry, NULL) : g_strdup(entry);
        g_autofree char *child_path = g_build_filename(root, child_rel, NULL);
        if (g_file_test(child_path, G_FILE_TEST_IS_DIR)) {
            find_headers(root, child_rel, out);
        } else if (g_str_has_suffix(entry, ".h")) {
            g_ptr_array_add(out, g_steal_pointer(&child_rel));
        }
    }
    g_dir_close(dir);
}

static int compare_strings(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Writes only when the contents change, so unchanged pages keep their timestamps. */
static bool write_if_changed(const char *path, const char *text, bool quiet)
{
    g_autofree char *old = NULL;
    if (g_file_get_contents(path, &old, NULL, NULL) && strcmp(old, text) == 0) {
        return true;
    }
    g_autoptr(GError) err = NULL;
    if (!g_file_set_contents(path, text, -1, &err)) {
        g_printerr("%s\n", err->message);
        return false;
    }
    if (!quiet) {
        g_print("wrote %s\n", path);
    }
    return true;
}

/* Pages of headers that no longer exist (or lost their comments) would otherwise linger. */
static bool remove_stale(const char *output, GHashTable *written, bool quiet)
{
    g_autoptr(GError) err = NULL;
    GDir *dir = g_dir_open(output, 0, &err);
    if (dir == NULL) {
        g_printerr("%s\n", err->message);
        return false;
    }
    bool ok = true;
    const char *entry;
    while ((entry = g_dir_read_name(dir)) != NULL) {
        if (g_str_has_suffix(entry, ".md") && !g_hash_table_contains(written, entry)) {
            g_autofree char *path = g_build_filename(output, entry, NULL);
            if (g_unlink(path) != 0) {
                g_printerr("Failed to remove %s\n", path);
                ok = false;
            } else if (!quiet) {
                g_print("removed %s\n", path);
            }
        }
    }
    g_dir_close(dir);
    return ok;
}

int main(int argc, char **argv)
{
    g_autofree char *output = NULL;
    gboolean quiet = FALSE;
    GOptionEntry entries[] = {
        { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Folder to write the pages to (default docs/api)", "DIR" },
        { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print only errors", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    g_autoptr(GOptionContext) context = g_option_context_new("INCLUDE_DIR");
    g_option_context_set_summary(context, "Generate Markdown API pages from the /*** comments of public headers.");
    g_option_context_add_main_entries(context, entries, NULL);
    g_autoptr(GError) err = NULL;
    if (!g_option_context_parse(context, &argc, &argv, &err) || argc != 2) {
        g_printerr("%s\nUsage: %s [--output DIR] [--quiet] INCLUDE_DIR\n", err != NULL ? err->message : "",
                   g_get_prgname());
        return 2;
    }
    const char *include_dir = argv[1];
    if (output == NULL) {
        output = g_strdup("docs/api");
    }
    if (g_mkdir_with_parents(output, 0755) != 0) {
        g_printerr("Failed to create %s\n", output);
        return 1;
    }

    g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
    find_headers(include_dir, NULL, paths);
    g_ptr_array_sort(paths, compare_strings);

    int errors = 0;
    g_autoptr(GPtrArray) headers = g_ptr_array_new_with_free_func((GDestroyNotify)header_free);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < paths->len; i++) {
        const char *rel = g_ptr_array_index(paths, i);
        g_autofree char *path = g_build_filename(include_dir, rel, NULL);
        doc_header_t *h = parse_header(path, rel, &errors);
        if (h != NULL) {
            g_autofree char *flat = g_strdup(rel);
            g_strdelimit(flat, "/", '_');
            g_ptr_array_add(headers, h);
            g_ptr_array_add(names, g_strdup_printf("%s.md", flat));
        }
    }
    if (errors > 0) {
        g_printerr("%d error%s in the doc comments; no pages written\n", errors, errors == 1 ? "" : "s");
        return 1;
    }

    bool ok = true;
    g_autoptr(GHashTable) written = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < headers->len; i++) {
        g_autofree char *text = render_header(g_ptr_array_index(headers, i), include_dir);
        g_autofree char *path = g_build_filename(output, g_ptr_array_index(names, i), NULL);
        ok = write_if_changed(path, text, quiet) && ok;
        g_hash_table_add(written, g_ptr_array_index(names, i));
    }
    g_autofree char *index = render_index(headers, names, include_dir);
    g_autofree char *index_path = g_build_filename(output, "README.md", NULL);
    ok = write_if_changed(index_path, index, quiet) && ok;
    g_hash_table_add(written, "README.md");
    ok = remove_stale(output, written, quiet) && ok;
    if (!quiet) {
        g_print("%u header pages in %s\n", headers->len, output);
    }
    return ok ? 0 : 1;
}
