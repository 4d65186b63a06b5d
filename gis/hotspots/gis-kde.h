/* gis-kde.h: kernel density of points on a grid
 *
 * Points are in metres of a projected (equal-area) CRS.  Each point adds
 * w · K(d) to every cell whose centre is at a distance d < r from it,
 * where K is a radial kernel normalised so that it integrates to 1 over
 * its disc of radius r (DESIGN §6, KDE).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gis-types.h"

G_BEGIN_DECLS

/**
 * GisKdeKernel:
 * @GIS_KDE_KERNEL_QUARTIC: 3/(π r²) (1 − u²)², the default
 * @GIS_KDE_KERNEL_TRIWEIGHT: 4/(π r²) (1 − u²)³
 * @GIS_KDE_KERNEL_EPANECHNIKOV: 2/(π r²) (1 − u²)
 * @GIS_KDE_KERNEL_UNIFORM: 1/(π r²)
 * @GIS_KDE_KERNEL_TRIANGULAR: 3/(π r²) (1 − u)
 *
 * The kernels, u = d/r < 1; zero beyond the radius.
 */
typedef enum
{
  GIS_KDE_KERNEL_QUARTIC = 0,
  GIS_KDE_KERNEL_TRIWEIGHT,
  GIS_KDE_KERNEL_EPANECHNIKOV,
  GIS_KDE_KERNEL_UNIFORM,
  GIS_KDE_KERNEL_TRIANGULAR,
} GisKdeKernel;

/**
 * GisKdeOutput:
 * @GIS_KDE_OUTPUT_DENSITY: weight per km² (the kernels above, in km⁻²)
 * @GIS_KDE_OUTPUT_EXPECTED_COUNT: density × the cell's area: the cells sum
 *   to the total weight when the grid holds every kernel
 * @GIS_KDE_OUTPUT_RAW: Σ w f(u), the kernels' profiles without the
 *   constant nor the 1/r² (f(0) = 1)
 */
typedef enum
{
  GIS_KDE_OUTPUT_DENSITY = 0,
  GIS_KDE_OUTPUT_EXPECTED_COUNT,
  GIS_KDE_OUTPUT_RAW,
} GisKdeOutput;

/**
 * GisKdeMethod:
 * @GIS_KDE_METHOD_EXACT: every point at its own position
 * @GIS_KDE_METHOD_FAST: points binned first (to the cell centres, or to
 *   the centres of a sub-grid @subgrid times finer), then each bin stamps
 *   a precomputed stencil.  It equals the exact method (to rounding) when
 *   every point lies on the centre of a sub-grid cell and, for the uniform
 *   kernel, no cell centre is exactly at the radius from a point; else a
 *   point moves by up to half a sub-cell diagonal, cell / (subgrid √2).
 */
typedef enum
{
  GIS_KDE_METHOD_EXACT = 0,
  GIS_KDE_METHOD_FAST,
} GisKdeMethod;

/**
 * GisKdeGrid:
 * @x_min: west edge, metres
 * @y_max: north edge, metres
 * @cell_size_m: side of the square cells
 * @nx: columns, west to east
 * @ny: rows, north to south (row 0 is the northernmost, as in a GeoTIFF)
 *
 * Cell (i, j) has its centre at (x_min + (i + ½) cell, y_max − (j + ½) cell).
 */
typedef struct
{
  double x_min;
  double y_max;
  double cell_size_m;
  guint  nx;
  guint  ny;
} GisKdeGrid;

/** The most cells a grid may have. */
#define GIS_KDE_MAX_CELLS ((guint64) 1 << 30)

/** The most cells of a grid whose cell size is chosen automatically. */
#define GIS_KDE_AUTO_MAX_CELLS 16000000.0

/** The finest sub-grid of the fast method. */
#define GIS_KDE_MAX_SUBGRID 15

typedef struct
{
  GisKdeKernel kernel;
  GisKdeOutput output;
  GisKdeMethod method;
  double       radius_m;       /* 0: the spatial Silverman rule */
  guint        subgrid;        /* fast: 0 or 1 bins to the cells, else odd, at most GIS_KDE_MAX_SUBGRID */
  guint        n_threads;      /* 0: one per processor */
} GisKdeParams;

typedef struct
{
  GisKdeGrid grid;
  double     radius_m;         /* the radius used */
  double    *values;           /* nx × ny, row by row from the north */
} GisKdeResult;

void         gis_kde_result_clear     (GisKdeResult        *result);

double       gis_kde_kernel_constant  (GisKdeKernel         kernel);
double       gis_kde_kernel_value     (GisKdeKernel         kernel,
                                       double               d,
                                       double               radius);
const char  *gis_kde_kernel_to_string (GisKdeKernel         kernel);
gboolean     gis_kde_kernel_from_string (const char        *str,
                                         GisKdeKernel      *out_kernel);

gboolean     gis_kde_silverman_radius (const double        *x,
                                       const double        *y,
                                       const double        *weights,
                                       gsize                n,
                                       double              *out_radius_m,
                                       GError             **error);
gboolean     gis_kde_grid_for_points  (const double        *x,
                                       const double        *y,
                                       gsize                n,
                                       double               radius_m,
                                       double               cell_size_m,
                                       GisKdeGrid          *out_grid,
                                       GError             **error);
gboolean     gis_kde_run              (const double        *x,
                                       const double        *y,
                                       const double        *weights,
                                       gsize                n,
                                       const GisKdeParams  *params,
                                       const GisKdeGrid    *grid,
                                       GisKdeResult        *out,
                                       GCancellable        *cancellable,
                                       GisProgressFunc      progress,
                                       gpointer             progress_data,
                                       GError             **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GisKdeResult, gis_kde_result_clear)

G_END_DECLS
