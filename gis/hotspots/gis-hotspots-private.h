/* gis-hotspots-private.h: what the hotspot analyses share
 *
 * A parallel loop over chunks of items, with cancellation and progress
 * on the calling thread; a radix sort of 64-bit keys; and a grid index of
 * points for fixed-radius and nearest-neighbour searches.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gis-types.h"

G_BEGIN_DECLS

/* ---- parallel loop ---------------------------------------------------------- */

/* Does items [begin, end) on worker @worker (0 … n_workers − 1). */
typedef void (*GisHotspotsChunkFunc) (guint    worker,
                                      guint    begin,
                                      guint    end,
                                      gpointer data);

guint     gis_hotspots_n_workers (guint                 wanted,
                                  guint                 n_items,
                                  guint                 chunk);
gboolean  gis_hotspots_parallel  (guint                 n_items,
                                  guint                 chunk,
                                  guint                 n_workers,
                                  GisHotspotsChunkFunc  func,
                                  gpointer              data,
                                  GCancellable         *cancellable,
                                  GisProgressFunc       progress,
                                  gpointer              progress_data,
                                  const char           *message,
                                  GError              **error);

/* ---- sorting ---------------------------------------------------------------- */

void      gis_hotspots_sort_keys (guint64              *keys,
                                  guint                *values,
                                  gsize                 n);

/* ---- grid index of points --------------------------------------------------- */

/* Points sorted by square cells of side @cell; the non-empty cells sorted
 * by key row * ncols + col, rows and columns counted from (x0, y0), the
 * lower-left corner of the points' extent. */
typedef struct
{
  double   x0, y0, cell;
  gint64   ncols, nrows;
  guint    n;                  /* points */
  guint    n_cells;            /* non-empty cells */
  guint64 *keys;               /* n_cells, ascending */
  guint   *start;              /* n_cells + 1: cell c holds order[start[c]] … */
  guint   *order;              /* n: point indices, cell by cell */
  double  *sx, *sy;            /* n: their coordinates, in that order */
  guint   *dense;              /* ncols * nrows cell indices (G_MAXUINT: empty), when small */
} GisPointGrid;

void      gis_point_grid_init    (GisPointGrid         *grid,
                                  const double         *x,
                                  const double         *y,
                                  guint                 n,
                                  double                cell);
void      gis_point_grid_clear   (GisPointGrid         *grid);
gint64    gis_point_grid_find    (const GisPointGrid   *grid,
                                  gint64                row,
                                  gint64                col);
void      gis_point_grid_locate  (const GisPointGrid   *grid,
                                  double                x,
                                  double                y,
                                  gint64               *row,
                                  gint64               *col);

/* The k nearest points to (x, y), @skip left out (G_MAXUINT: none), by
 * distance then index; fills @idx and @d2 (squared distances), ascending.
 * Returns how many were found (fewer than k when there are fewer). */
guint     gis_point_grid_knn     (const GisPointGrid   *grid,
                                  double                x,
                                  double                y,
                                  guint                 skip,
                                  guint                 k,
                                  guint                *idx,
                                  double               *d2);

/* Mean distance from each point to its k-th nearest other point. */
double    gis_point_grid_mean_kth_distance (const GisPointGrid *grid,
                                            guint               k);

G_END_DECLS
