/* gis-hotspots-kde.h: kernel density of a store's points, saved as a raster layer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gis-types.h"
#include "gis-hotspots-input.h"
#include "gis-kde.h"
#include "gis-layer.h"
#include "gis-raster.h"

G_BEGIN_DECLS

/**
 * GisHotspotsKdeParams:
 * @input: the points
 * @kernel: the kernel
 * @output: density per km², expected count per cell, or raw sums
 * @method: %GIS_KDE_METHOD_FAST (the default) or exact
 * @radius_km: the kernel's radius; 0 for the spatial Silverman rule
 * @cell_km: the cells' side; 0 for the points' shorter extent / 250, at
 *   most the radius / 5 (gis_kde_grid_for_points())
 * @n_threads: 0 for one per processor
 *
 * Initialise with gis_hotspots_kde_params_init().
 */
typedef struct
{
  GisHotspotInput input;
  GisKdeKernel    kernel;
  GisKdeOutput    output;
  GisKdeMethod    method;
  double          radius_km;
  double          cell_km;
  guint           n_threads;
} GisHotspotsKdeParams;

/**
 * GisHotspotsKdeResult:
 * @params: the parameters run (the input's strings are the caller's)
 * @n_points: the points read
 * @total_weight: the sum of their weights
 * @radius_m: the radius used
 * @radius_from_silverman: whether the Silverman rule chose it
 * @cell_m: the cells' side
 * @raster: (transfer full): the surface, in the analysis CRS
 * @started_at: when the run started, ISO 8601
 * @read_s: seconds spent reading the points
 * @kde_s: seconds spent on the density
 * @input_layer: (transfer full): the layer read
 */
typedef struct
{
  GisHotspotsKdeParams params;
  gsize                n_points;
  double               total_weight;
  double               radius_m;
  gboolean             radius_from_silverman;
  double               cell_m;
  GisRaster           *raster;
  char                *started_at;
  double               read_s;
  double               kde_s;
  GisLayer            *input_layer;
} GisHotspotsKdeResult;

void       gis_hotspots_kde_params_init  (GisHotspotsKdeParams       *params);
void       gis_hotspots_kde_result_clear (GisHotspotsKdeResult       *result);
const char *gis_kde_output_to_string     (GisKdeOutput                output);
gboolean   gis_kde_output_from_string    (const char                 *str,
                                          GisKdeOutput               *out_output);

gboolean   gis_hotspots_kde_run          (GisStore                   *store,
                                          const GisHotspotsKdeParams *params,
                                          GisHotspotsKdeResult       *out,
                                          GCancellable               *cancellable,
                                          GisProgressFunc             progress,
                                          gpointer                    progress_data,
                                          GError                    **error);
char      *gis_hotspots_kde_params_json  (const GisHotspotsKdeResult *result);
GisLayer  *gis_hotspots_kde_save         (GisStore                   *store,
                                          GisHotspotsKdeResult       *result,
                                          const char                 *name,
                                          GError                    **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GisHotspotsKdeResult, gis_hotspots_kde_result_clear)

G_END_DECLS
