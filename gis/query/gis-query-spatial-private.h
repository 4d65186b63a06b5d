/* gis-query-spatial-private.h: the target features a spatial condition holds for
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "gis-extent.h"
#include "gis-layer.h"
#include "gis-query.h"
#include "gis-store.h"

G_BEGIN_DECLS

typedef struct
{
  GisSpatialOp     op;            /* DISJOINT is computed as INTERSECTS */
  GisDistanceMode  mode;
  double           distance_m;    /* WITHIN */
  guint            n_nearest;     /* NEAREST */
  GisLayer        *ref_layer;     /* the reference: a layer, */
  const char      *ref_wkt;       /* or a geometry in lon/lat */
} GisSpatialSpec;

typedef struct
{
  gint64 target;
  gint64 ref;
} GisFidPair;

GArray   *gis_query_spatial_eval       (GisStore              *store,
                                        GisLayer              *target,
                                        const GisSpatialSpec  *spec,
                                        GisProgressFunc        progress,
                                        gpointer               progress_data,
                                        double                 progress_from,
                                        double                 progress_to,
                                        GCancellable          *cancellable,
                                        GError               **error);

GArray   *gis_query_spatial_pairs      (GisStore              *store,
                                        GisLayer              *target,
                                        const GisSpatialSpec  *spec,
                                        GCancellable          *cancellable,
                                        GError               **error);
gboolean  gis_query_nearest_distances  (GisStore              *store,
                                        GisLayer              *from,
                                        GArray                *fids,
                                        GisLayer              *to,
                                        GisDistanceMode        mode,
                                        double                *out_m,
                                        GCancellable          *cancellable,
                                        GError               **error);

gboolean  gis_query_check_wkt          (const char            *wkt,
                                        GisExtent             *out_box,
                                        GError               **error);

char     *gis_query_index_table        (GisLayer              *layer);

G_END_DECLS
