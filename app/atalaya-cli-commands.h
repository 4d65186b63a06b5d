/* atalaya-cli-commands.h: the commands that live outside atalaya-cli.c
 *
 * Each takes the command's own argv (argv[0] is the command name) and
 * returns the tool's exit code.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* atalaya-cli-map.c */
int cli_cmd_render   (int    argc,
                      char **argv);
int cli_cmd_style    (int    argc,
                      char **argv);

/* atalaya-cli-edit.c */
int cli_cmd_identify (int    argc,
                      char **argv);
int cli_cmd_edit     (int    argc,
                      char **argv);

/* atalaya-cli-query.c */
int cli_cmd_query    (int    argc,
                      char **argv);

/* atalaya-cli-coverage.c */
int cli_cmd_coverage (int    argc,
                      char **argv);

/* atalaya-cli-hotspots.c */
int cli_cmd_hotspots (int    argc,
                      char **argv);

/* atalaya-cli-export-map.c */
int cli_cmd_export_map (int    argc,
                        char **argv);

/* atalaya-cli-indicators.c */
int cli_cmd_indicators (int    argc,
                        char **argv);

G_END_DECLS
