/* gis-hotspots-layers.h: Gi*, clusters and emerging hot spots as result layers
 *
 * Each method has a run function (points in, a result out, on any
 * thread), a JSON summary of the result (what atalaya-cli prints) and a
 * save function writing its styled result layers, each with the method
 * record, in one transaction.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gis-dbscan.h"
#include "gis-gistar.h"
#include "gis-hotspots-input.h"
#include "gis-spacetime.h"
#include "gis-store.h"

G_BEGIN_DECLS

/* ---- Gi* ---------------------------------------------------------------------------- */

/**
 * GisHotspotsGiStarParams:
 * @shape: the bins of points: squares or hexagons
 * @cell_size_m: their size; 0: automatic (gis_gistar_auto_cell_size())
 * @weights: band, k nearest or inverse distance
 * @band_m: band and inverse distance: the band; 0: automatic
 *   (gis_gistar_auto_scale())
 * @k: k nearest: the neighbours besides the location
 * @power: inverse distance: 0 means 1
 * @idw_min_m: inverse distance: 0 means the mean nearest-neighbour distance
 * @keep_empty: bins of points: also the empty bins of the lattice over
 *   the points (a count of 0 is data); else only the bins holding points
 * @n_threads: 0: one per processor
 */
typedef struct
{
  GisBinShape       shape;
  double            cell_size_m;
  GisGiStarWeights  weights;
  double            band_m;
  guint             k;
  double            power;
  double            idw_min_m;
  gboolean          keep_empty;
  guint             n_threads;
} GisHotspotsGiStarParams;

/**
 * GisHotspotsGiStar:
 *
 * A Gi* run: on bins of points, or on the centroids of a polygon layer's
 * features with a numeric field (then @bins holds one location per
 * feature: x, y the centroid, value the field, count 1).
 */
typedef struct
{
  GisHotspotsGiStarParams  params;          /* as run: the automatic choices filled in */
  gboolean                 cell_auto, band_auto;
  char                    *cell_reason;     /* (nullable) why that cell size */
  char                    *band_reason;     /* (nullable) why that band */
  GisGiStarScaleMethod     scale_method;
  GisBins                  bins;
  GisGiStarResult          gi;
  char                    *field;           /* polygons: the field */
  gint64                  *feature_fid;     /* polygons: bins.n fids */
  GPtrArray               *feature_geom;    /* polygons: GBytes, their geometry blobs as stored */
  char                    *input_json;      /* the input, for the method record */
  GPtrArray               *inputs;          /* GisLayer: the layers read */
  char                    *started;         /* ISO 8601 */
  guint                    n_points;
  double                   seconds;         /* the analysis, without reading or writing */
} GisHotspotsGiStar;

void                gis_hotspots_gistar_params_init  (GisHotspotsGiStarParams        *params);
GisHotspotsGiStar  *gis_hotspots_gistar_run          (const GisHotspotPoints         *points,
                                                      const GisHotspotInput          *input,
                                                      const GisHotspotsGiStarParams  *params,
                                                      GCancellable                   *cancellable,
                                                      GisProgressFunc                 progress,
                                                      gpointer                        progress_data,
                                                      GError                        **error);
GisHotspotsGiStar  *gis_hotspots_gistar_run_polygons (GisStore                       *store,
                                                      const char                     *layer,
                                                      const char                     *field,
                                                      const GisHotspotsGiStarParams  *params,
                                                      GCancellable                   *cancellable,
                                                      GisProgressFunc                 progress,
                                                      gpointer                        progress_data,
                                                      GError                        **error);
char               *gis_hotspots_gistar_to_json      (GisHotspotsGiStar              *result);
GisLayer           *gis_hotspots_gistar_save         (GisStore                       *store,
                                                      GisHotspotsGiStar              *result,
                                                      const char                     *name,
                                                      GCancellable                   *cancellable,
                                                      GError                        **error);
void                gis_hotspots_gistar_free         (GisHotspotsGiStar              *result);
const char         *gis_hotspots_bin_label           (int                             bin);

/* ---- DBSCAN and ST-DBSCAN --------------------------------------------------------------- */

/**
 * GisHotspotsCluster:
 * @id: 1 … n_clusters, as the points' cluster ids
 * @size: its points
 * @first_s: the earliest time of its points (Unix), NAN without times
 * @last_s: the latest
 * @categories: (nullable): its points' categories, most frequent first
 *   (ties by name), comma-separated
 * @countries: (nullable): its points' countries (CA, US, MX and any
 *   other code), sorted, comma-separated: "MX,US"
 * @cross_border: two or more of CA, US, MX among @countries
 * @lon: the mean of its points, in lon/lat
 * @lat: likewise
 * @hull_wkb: its convex hull in lon/lat, WKB; a small buffer around
 *   the points when the hull has no area (one or two points, or a line)
 */
typedef struct
{
  guint    id;
  guint    size;
  double   first_s, last_s;
  char    *categories;
  char    *countries;
  gboolean cross_border;
  double   lon, lat;
  GBytes  *hull_wkb;
} GisHotspotsCluster;

typedef struct
{
  gboolean           space_time;
  GisDbscanParams    params;
  GisDbscanResult    db;
  GArray            *clusters;        /* GisHotspotsCluster, by id */
  gsize              n_points;
  gint64            *fid;             /* n_points */
  double            *lon, *lat;       /* n_points */
  double            *time_s;          /* (nullable) n_points */
  char              *source_table;    /* (nullable) the points' table, copied into the result */
  char              *countries_layer; /* (nullable) the areas that gave points without a country theirs */
  char              *input_json;
  GPtrArray         *inputs;
  char              *started;
  double             seconds;
} GisHotspotsClusters;

GisHotspotsClusters *gis_hotspots_dbscan_run        (GisStore                *store,
                                                     const GisHotspotPoints  *points,
                                                     const GisHotspotInput   *input,
                                                     const GisDbscanParams   *params,
                                                     gboolean                 space_time,
                                                     GCancellable            *cancellable,
                                                     GisProgressFunc          progress,
                                                     gpointer                 progress_data,
                                                     GError                 **error);
char                *gis_hotspots_clusters_to_json  (GisHotspotsClusters     *result);
GPtrArray           *gis_hotspots_clusters_save     (GisStore                *store,
                                                     GisHotspotsClusters     *result,
                                                     const char              *name,
                                                     GCancellable            *cancellable,
                                                     GError                 **error);
void                 gis_hotspots_clusters_free     (GisHotspotsClusters     *result);

/* ---- emerging hot spots ------------------------------------------------------------------ */

/**
 * GisHotspotsEmerging:
 *
 * Space-time Gi* (gis_spacetime_run()) on the points; a cell size or a
 * band of 0 in the parameters is chosen as for Gi* (the band on the
 * cells' totals over the whole period).
 */
typedef struct
{
  GisSpaceTimeParams   params;        /* as run: the automatic choices filled in */
  gboolean             cell_auto, band_auto;
  char                *cell_reason;
  char                *band_reason;
  GisSpaceTimeResult   st;
  char                *input_json;
  GPtrArray           *inputs;
  char                *started;
  guint                n_points;
  double               seconds;
} GisHotspotsEmerging;

GisHotspotsEmerging *gis_hotspots_emerging_run      (const GisHotspotPoints    *points,
                                                     const GisHotspotInput     *input,
                                                     const GisSpaceTimeParams  *params,
                                                     GCancellable              *cancellable,
                                                     GisProgressFunc            progress,
                                                     gpointer                   progress_data,
                                                     GError                   **error);
char                *gis_hotspots_emerging_to_json  (GisHotspotsEmerging       *result);
GPtrArray           *gis_hotspots_emerging_save     (GisStore                  *store,
                                                     GisHotspotsEmerging       *result,
                                                     const char                *name,
                                                     GCancellable              *cancellable,
                                                     GError                   **error);
void                 gis_hotspots_emerging_free     (GisHotspotsEmerging       *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisHotspotsGiStar, gis_hotspots_gistar_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisHotspotsClusters, gis_hotspots_clusters_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisHotspotsEmerging, gis_hotspots_emerging_free)

G_END_DECLS
