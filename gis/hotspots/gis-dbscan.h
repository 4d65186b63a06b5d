/* gis-dbscan.h: density-based clusters of points, in space and in space-time
 *
 * DBSCAN (Ester et al. 1996) as R's dbscan::dbscan: a point is a core
 * point when at least min_pts points, itself included, are within eps
 * (d <= eps); core points within eps of each other share a cluster; a
 * point that is not core joins, as a border point, the cluster of a core
 * point within eps; other points are noise.  R gives a border point
 * reachable from several clusters to the first cluster that reaches it,
 * which, as R grows each cluster whole before the next, is the cluster
 * numbered first; clusters are numbered by their lowest-index core point.
 * This gives the same numbers as R, not only the same partition.
 *
 * ST-DBSCAN (after Birant and Kut 2007, without their density-difference
 * test): the same with neighbours within eps in space and within
 * eps_days in time (|t_i − t_j| <= eps_days).
 *
 * Cluster ids: 1 … n_clusters; 0 is noise (as R).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gis-types.h"

G_BEGIN_DECLS

typedef struct
{
  double   eps_m;
  guint    min_pts;          /* the point itself counted; >= 1 */
  gboolean no_borders;       /* border points are noise (R's borderPoints = FALSE) */
  double   eps_days;         /* ST-DBSCAN */
  guint    n_threads;        /* 0: one per processor */
} GisDbscanParams;

typedef struct
{
  guint    n;
  gint32  *cluster;          /* n: 0 noise, else 1 … n_clusters */
  guint8  *core;             /* n: 1 for core points */
  guint    n_clusters;
  guint    n_noise;
} GisDbscanResult;

void      gis_dbscan_result_clear (GisDbscanResult       *result);
gboolean  gis_dbscan_run          (const double          *x,
                                   const double          *y,
                                   gsize                  n,
                                   const GisDbscanParams *params,
                                   GisDbscanResult       *out,
                                   GCancellable          *cancellable,
                                   GisProgressFunc        progress,
                                   gpointer               progress_data,
                                   GError               **error);
gboolean  gis_st_dbscan_run       (const double          *x,
                                   const double          *y,
                                   const double          *t_days,
                                   gsize                  n,
                                   const GisDbscanParams *params,
                                   GisDbscanResult       *out,
                                   GCancellable          *cancellable,
                                   GisProgressFunc        progress,
                                   gpointer               progress_data,
                                   GError               **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GisDbscanResult, gis_dbscan_result_clear)

G_END_DECLS
