/* gis-spacetime.h: space-time Gi* and emerging hot spots (DESIGN §6)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gis-emerging.h"
#include "gis-gistar.h"
#include "gis-types.h"

G_BEGIN_DECLS

/**
 * GisTimeStep:
 * @GIS_TIME_STEP_MONTH: calendar months (UTC)
 * @GIS_TIME_STEP_QUARTER: calendar quarters, from January, April, July, October
 * @GIS_TIME_STEP_YEAR: calendar years
 */
typedef enum
{
  GIS_TIME_STEP_MONTH = 0,
  GIS_TIME_STEP_QUARTER,
  GIS_TIME_STEP_YEAR,
} GisTimeStep;

/** How many earlier time steps are a bin's neighbours in time by default. */
#define GIS_SPACETIME_DEFAULT_PREVIOUS 1

/** The most space-time bins (locations × steps) of one run. */
#define GIS_SPACETIME_MAX_BINS 100000000u

/**
 * GisSpaceTimeParams:
 * @shape: the spatial cells: squares or hexagons
 * @cell_size_m: their size (see #GisBinShape)
 * @step: the time step
 * @weights: the spatial weights, as for gis_gistar_run()
 * @band_m: band and inverse distance weights: the distance band
 * @k: k-nearest weights: the neighbours besides the location
 * @power: inverse distance: 0 means 1
 * @idw_min_m: inverse distance: 0 means the mean nearest-neighbour distance
 * @n_previous: K, the earlier steps that are neighbours in time (0: the
 *   same step only); gis_spacetime_params_init() sets
 *   %GIS_SPACETIME_DEFAULT_PREVIOUS
 * @trend_alpha: the Mann-Kendall trend's level; 0 means 0.05
 * @n_threads: 0: one per processor
 */
typedef struct
{
  GisBinShape       shape;
  double            cell_size_m;
  GisTimeStep       step;
  GisGiStarWeights  weights;
  double            band_m;
  guint             k;
  double            power;
  double            idw_min_m;
  guint             n_previous;
  double            trend_alpha;
  guint             n_threads;
} GisSpaceTimeParams;

/**
 * GisSpaceTimeResult:
 *
 * The cube: @n_locations spatial cells (those holding a point at some
 * step), @n_steps time steps from the first point's to the last one's.
 * Per-bin arrays have n_locations × n_steps entries, location by
 * location: bin (l, t) is entry l · n_steps + t.
 */
typedef struct
{
  GisBins               cells;          /* the locations; value and count over all steps */
  guint                 n_locations;
  guint                 n_steps;
  GisTimeStep           step;
  guint                 n_previous;
  gint64                first_step;     /* the first step's number: months, quarters or years since year 0 */
  gint64               *step_start_s;   /* n_steps + 1: each step's first second (Unix), and the end */
  double               *value;          /* bins: summed weights (counts without weights) */
  guint                *count;          /* bins: points */
  double               *z;              /* bins: space-time Gi* */
  double               *p;              /* bins: two-sided */
  gint8                *bin;            /* bins: FDR bins, −3 … 3, within each step */
  guint                *n_neighbours;   /* bins: neighbouring bins, the bin itself included */
  double                mean, sd;       /* of all bins' values */
  double               *fdr_p;          /* n_steps × 3: each step's FDR thresholds (as gis_gistar_fdr_bins) */
  GisMannKendall       *trend;          /* n_locations: Mann-Kendall on the z series */
  GisEmergingCategory  *category;       /* n_locations */
  guint                *point_step;     /* per input point: its step */
  double                idw_min_m;      /* inverse distance: d0 used */
} GisSpaceTimeResult;

void      gis_spacetime_params_init   (GisSpaceTimeParams        *params);
void      gis_spacetime_result_clear  (GisSpaceTimeResult        *result);
gint64    gis_time_step_of            (GisTimeStep                step,
                                       double                     time_s);
gint64    gis_time_step_start         (GisTimeStep                step,
                                       gint64                     step_number);
const char *gis_time_step_to_string   (GisTimeStep                step);
gboolean  gis_time_step_from_string   (const char                *text,
                                       GisTimeStep               *out_step);
gboolean  gis_spacetime_run           (const double              *x,
                                       const double              *y,
                                       const double              *weights,
                                       const double              *time_s,
                                       gsize                      n,
                                       const GisSpaceTimeParams  *params,
                                       GisSpaceTimeResult        *out,
                                       GCancellable              *cancellable,
                                       GisProgressFunc            progress,
                                       gpointer                   progress_data,
                                       GError                   **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GisSpaceTimeResult, gis_spacetime_result_clear)

G_END_DECLS
