/* gis-geom-index-private.h: quick tests against areas and lines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <geos_c.h>
#include <glib.h>

#include "gis-extent.h"

G_BEGIN_DECLS

typedef struct
{
  double x0, y0, x1, y1;
} GisEdge;

typedef struct
{
  GisExtent  box;
  double     band_h;
  guint      n_bands;
  guint     *band_start;    /* n_bands + 1 */
  guint     *band_items;    /* edge numbers */
  GisEdge   *edges;
  guint      n_edges;
} GisPolyIndex;

typedef enum
{
  GIS_BOX_OUTSIDE,
  GIS_BOX_INSIDE,
  GIS_BOX_UNSURE,
} GisBoxClass;

typedef struct
{
  double      x0, y0;        /* the grid's corner */
  double      cell;
  guint       nx, ny;
  guint      *cell_start;    /* nx * ny + 1 */
  guint      *cell_items;
  GisEdge    *segs;
  guint       n_segs;
} GisSegIndex;

GisPolyIndex *gis_poly_index_new      (const GEOSGeometry *area);
void          gis_poly_index_free     (GisPolyIndex       *pi);
gboolean      gis_poly_index_contains (const GisPolyIndex *pi,
                                       double              x,
                                       double              y);
GisBoxClass   gis_poly_index_classify (const GisPolyIndex *pi,
                                       double              x0,
                                       double              y0,
                                       double              x1,
                                       double              y1);

GisSegIndex  *gis_seg_index_new       (const GEOSGeometry *geometry,
                                       double              min_cell);
void          gis_seg_index_free      (GisSegIndex        *si);
gboolean      gis_seg_index_nearest   (const GisSegIndex  *si,
                                       double              px,
                                       double              py,
                                       double              radius,
                                       double             *out_d,
                                       double             *out_x,
                                       double             *out_y);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisPolyIndex, gis_poly_index_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisSegIndex, gis_seg_index_free)

G_END_DECLS
