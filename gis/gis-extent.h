/* gis-extent.h: an axis-aligned box in map units
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define GIS_TYPE_EXTENT (gis_extent_get_type ())

struct _GisExtent
{
  double min_x;
  double min_y;
  double max_x;
  double max_y;
};

typedef struct _GisExtent GisExtent;

GType       gis_extent_get_type   (void) G_GNUC_CONST;
GisExtent  *gis_extent_copy       (const GisExtent *extent);
void        gis_extent_free       (GisExtent       *extent);
void        gis_extent_init_empty (GisExtent       *extent);
gboolean    gis_extent_is_empty   (const GisExtent *extent);
void        gis_extent_add_point  (GisExtent       *extent,
                                   double           x,
                                   double           y);
void        gis_extent_add_extent (GisExtent       *extent,
                                   const GisExtent *other);
gboolean    gis_extent_intersects (const GisExtent *a,
                                   const GisExtent *b);
char       *gis_extent_to_string  (const GisExtent *extent);
gboolean    gis_extent_parse      (const char      *str,
                                   GisExtent       *out_extent);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GisExtent, gis_extent_free)

G_END_DECLS
