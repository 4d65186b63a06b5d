/* atalaya-cli-util.h: what the command-line tool's commands share
 *
 * Exit codes: 0 success, 1 a user error (one line that names the file,
 * row or field), 2 a usage error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "gis.h"

G_BEGIN_DECLS

#define EXIT_USER  1
#define EXIT_USAGE 2

/* --json and --quiet, shared by every command */
extern gboolean cli_opt_json;
extern gboolean cli_opt_quiet;
extern gboolean cli_stderr_is_tty;

int        cli_fail                (GError            *error);
int        cli_usage_error         (GOptionContext    *context,
                                    const char        *message);
void       cli_print_json          (JsonNode          *node);

/* progress on a terminal's stderr, unless --quiet */
void       cli_on_progress         (double             fraction,
                                    const char        *message,
                                    gpointer           user_data);
void       cli_end_progress        (void);

/* holds back what libraries print on stderr while user SQL runs */
void       cli_hush_library_stderr (void);
void       cli_restore_stderr      (void);

GisStore  *cli_open_store          (const char        *path,
                                    GisStoreOpenFlags  flags,
                                    GError           **error);
void       cli_add_extent          (JsonBuilder       *b,
                                    const GisExtent   *extent);
void       cli_add_layer           (JsonBuilder       *b,
                                    GisLayer          *layer);

G_END_DECLS
