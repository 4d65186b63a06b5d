/* atalaya-cli-hotspots-methods.h: the gistar, dbscan, stdbscan and emerging
 * methods of atalaya-cli hotspots
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "gis.h"

G_BEGIN_DECLS

/* The options of these methods; the input's (layer, filters, weight),
 * --save-as and --cell are the command's. */
typedef struct
{
  char    *shape;        /* square | hex */
  char    *band;         /* KM | auto */
  int      knn;          /* 0: not given */
  char    *weights;      /* binary | knn | idw */
  double   eps_km;
  int      min_points;   /* 0: not given */
  double   eps_days;
  char    *step;         /* month | quarter | year */
  int      previous;     /* -1: not given */
} CliHotspotsMethodOptions;

void      cli_hotspots_method_options_init  (CliHotspotsMethodOptions        *o);
void      cli_hotspots_method_options_clear (CliHotspotsMethodOptions        *o);
void      cli_hotspots_method_add_entries   (GOptionContext                  *context,
                                             CliHotspotsMethodOptions        *o);
gboolean  cli_hotspots_method_is_known      (const char                      *method);
gboolean  cli_hotspots_method_options_given (const CliHotspotsMethodOptions  *o);
int       cli_hotspots_run_method           (GOptionContext                  *context,
                                             const char                      *method,
                                             const char                      *store_path,
                                             const GisHotspotInput           *input,
                                             double                           cell_km,
                                             const char                      *save_as,
                                             const CliHotspotsMethodOptions  *o);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliHotspotsMethodOptions, cli_hotspots_method_options_clear)

G_END_DECLS
