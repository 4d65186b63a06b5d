/* gis-gistar.h: Getis-Ord Gi* on bins or other locations, FDR, the scale
 *
 * Locations are in metres of a projected CRS, each with a value: the
 * centres of square or hexagon bins of points (their counts or summed
 * weights), or polygon centroids with a numeric field.  DESIGN §6 gives
 * the definitions: Gi* (Getis and Ord 1995, as spdep's localG with the
 * location itself among its neighbours), the Benjamini-Hochberg FDR bins,
 * and the automatic scale of Optimized Hot Spot Analysis.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gis-types.h"

G_BEGIN_DECLS

/* ---- bins --------------------------------------------------------------------- */

/**
 * GisBinShape:
 * @GIS_BIN_SQUARE: squares of side cell_size_m, edges on multiples of it
 * @GIS_BIN_HEXAGON: pointy-top hexagons whose centres are cell_size_m
 *   apart (the distance between opposite sides), a centre at (0, 0) and
 *   rows of centres every cell_size_m · √3/2 in y
 */
typedef enum
{
  GIS_BIN_SQUARE = 0,
  GIS_BIN_HEXAGON,
} GisBinShape;

/** The most bins gis_bins_from_points() makes. */
#define GIS_BINS_MAX 50000000u

typedef struct
{
  GisBinShape shape;
  double      cell_size_m;
  guint       n;               /* bins */
  double     *x, *y;           /* n: centres */
  double     *value;           /* n: summed point weights (the count without weights) */
  guint      *count;           /* n: points */
  gint32     *col, *row;       /* n: lattice address (hexagons: axial q, r) */
  guint      *point_bin;       /* per input point: its bin */
} GisBins;

void      gis_bins_clear        (GisBins              *bins);
gboolean  gis_bins_from_points  (GisBinShape           shape,
                                 double                cell_size_m,
                                 const double         *x,
                                 const double         *y,
                                 const double         *weights,
                                 gsize                 n,
                                 gboolean              keep_empty,
                                 GisBins              *out,
                                 GError              **error);
double    gis_bins_area_m2      (GisBinShape           shape,
                                 double                cell_size_m);

/* ---- Gi* ---------------------------------------------------------------------- */

/**
 * GisGiStarWeights:
 * @GIS_GISTAR_WEIGHTS_BAND: w = 1 for every location within band_m
 *   (d <= band_m, to a relative 1e-9 so lattice neighbours at exactly the
 *   band count whatever the rounding), the location itself included
 * @GIS_GISTAR_WEIGHTS_KNN: w = 1 for the location and its k nearest others
 *   (ties by the lower index)
 * @GIS_GISTAR_WEIGHTS_INVERSE_DISTANCE: within band_m, w = (d0 / max(d, d0))^power,
 *   d0 = idw_min_m; the location itself has w = 1
 */
typedef enum
{
  GIS_GISTAR_WEIGHTS_BAND = 0,
  GIS_GISTAR_WEIGHTS_KNN,
  GIS_GISTAR_WEIGHTS_INVERSE_DISTANCE,
} GisGiStarWeights;

typedef struct
{
  GisGiStarWeights weights;
  double           band_m;       /* band and inverse distance */
  guint            k;            /* k nearest neighbours, besides the location */
  double           power;        /* inverse distance: 0 means 1 */
  double           idw_min_m;    /* inverse distance: 0 means the mean nearest-neighbour distance */
  guint            n_threads;    /* 0: one per processor */
} GisGiStarParams;

typedef struct
{
  guint    n;
  double  *z;                    /* n: Gi*, a z-score (0 where undefined: see below) */
  double  *p;                    /* n: two-sided, from the normal */
  guint   *n_neighbours;         /* n: the location itself included */
  gint8   *bin;                  /* n: FDR bins −3 … 3 */
  double   mean;                 /* of the values */
  double   sd;                   /* S = √(Σ (x − x̄)² / n) */
  double   fdr_p[3];             /* the largest p significant at 90, 95, 99 % (−1: none) */
  double   idw_min_m;            /* inverse distance: d0 used */
} GisGiStarResult;

void      gis_gistar_result_clear (GisGiStarResult       *result);
gboolean  gis_gistar_run          (const double          *x,
                                   const double          *y,
                                   const double          *values,
                                   gsize                  n,
                                   const GisGiStarParams *params,
                                   GisGiStarResult       *out,
                                   GCancellable          *cancellable,
                                   GisProgressFunc        progress,
                                   gpointer               progress_data,
                                   GError               **error);
void      gis_gistar_fdr_bins     (const double          *z,
                                   const double          *p,
                                   gsize                  n,
                                   gint8                 *out_bins,
                                   double                 out_thresholds[3]);
double    gis_normal_two_sided_p  (double                 z);

/* ---- the scale of analysis ------------------------------------------------------ */

typedef enum
{
  GIS_GISTAR_SCALE_PEAK,          /* the first significant peak of Moran's I z */
  GIS_GISTAR_SCALE_MAXIMUM,       /* no significant peak: the band of the largest significant z */
  GIS_GISTAR_SCALE_NEIGHBOURS,    /* none significant: mean distance to the k-th neighbour */
} GisGiStarScaleMethod;

typedef struct
{
  guint  n_bands;                 /* 0: 10 */
  double start_m;                 /* 0: the mean nearest-neighbour distance */
  double increment_m;             /* 0: the mean nearest-neighbour distance */
} GisGiStarScaleParams;

typedef struct
{
  double                band_m;
  GisGiStarScaleMethod  method;
  guint                 n_bands;
  double               *bands_m;        /* n_bands */
  double               *moran_i;        /* n_bands: global Moran's I, binary weights */
  double               *moran_z;        /* n_bands: its z, randomisation (NAN: undefined) */
  guint                 k;              /* the k of the fallback */
  double                kth_distance_m; /* the fallback's mean k-th neighbour distance */
  double                standard_distance_m;
  double                floor_m;        /* 0.1 % of the extent's longer side */
  char                 *reason;         /* for the method record, translated */
} GisGiStarScale;

void      gis_gistar_scale_clear     (GisGiStarScale             *scale);
gboolean  gis_gistar_auto_cell_size  (const double               *x,
                                      const double               *y,
                                      gsize                       n,
                                      double                     *out_cell_size_m,
                                      char                      **out_reason,
                                      GError                    **error);
gboolean  gis_gistar_auto_scale      (const double               *x,
                                      const double               *y,
                                      const double               *values,
                                      gsize                       n,
                                      const GisGiStarScaleParams *params,
                                      GisGiStarScale             *out,
                                      GCancellable               *cancellable,
                                      GError                    **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GisBins, gis_bins_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GisGiStarResult, gis_gistar_result_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GisGiStarScale, gis_gistar_scale_clear)

G_END_DECLS
